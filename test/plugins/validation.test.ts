import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { createSchemaController } from '../../src/plugins/validation.js'

async function appWithRoute (t: Test) {
  const app = Fastify({ schemaController: createSchemaController() })
  t.teardown(() => app.close())
  app.post('/things', {
    schema: {
      querystring: { type: 'object', properties: { page: { type: 'integer' } } },
      body: {
        type: 'object',
        required: ['title', 'count'],
        properties: { title: { type: 'string' }, count: { type: 'integer' }, when: { type: 'string', format: 'date-time' } }
      }
    }
  }, async (request) => ({ query: request.query, body: request.body }))
  return app
}

t.test('query strings are coerced; bodies are checked as sent', async (t) => {
  const app = await appWithRoute(t)
  const ok = await app.inject({ method: 'POST', url: '/things?page=2', payload: { title: 'a', count: 1 } })
  t.equal(ok.statusCode, 200)
  t.same(ok.json().query, { page: 2 }, "'2' in a query string is the integer 2")
  const text = await app.inject({ method: 'POST', url: '/things', payload: { title: 5, count: '1' } })
  t.equal(text.statusCode, 400, 'a number where a string is due, and a string where a number is, are refused in a body')
})

t.test('every error is reported at once, formats included', async (t) => {
  const app = await appWithRoute(t)
  const res = await app.inject({ method: 'POST', url: '/things', payload: { when: 'yesterday' } })
  t.equal(res.statusCode, 400)
  const message = res.json().message as string
  for (const part of ['title', 'count', 'date-time']) t.match(message, part, `names ${part}`)
})
