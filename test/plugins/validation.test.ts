import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { createSchemaController, createSchemaWarmup } from '../../src/plugins/validation.js'
import { adminAuth, buildTestApp } from '../helper.js'

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

t.test('the warm-up compiles what it was given after start, bodies first, each once; stop drops the rest', async (t) => {
  const warmup = createSchemaWarmup()
  const order: string[] = []
  warmup.add(1, () => { order.push('serializer') })
  warmup.add(0, () => { order.push('body') })
  warmup.add(1, () => { throw new Error('a broken schema is compiled again by its first request') })
  t.same(warmup.status(), { compiled: 0, pending: 3, ms: 0 }, 'nothing before start')
  warmup.start(0, 0)
  while (warmup.status().pending > 0) await sleep(5)
  t.same(order, ['body', 'serializer'], 'bodies first, each once')
  t.equal(warmup.status().compiled, 3)

  const stopped = createSchemaWarmup()
  let ran = 0
  stopped.add(0, () => { ran++ })
  stopped.start(50)
  stopped.stop()
  stopped.add(0, () => { ran++ })
  await sleep(80)
  t.equal(ran, 0, 'stopped before its delay: nothing compiled')
})

t.test('an app warms the schemas of the writes of posts and comments after ready, and they still validate', async (t) => {
  const app = await buildTestApp(t)
  const before = app.schemaWarmup.status()
  t.ok(before.pending > 0, `${before.pending} schemas to warm`)
  for (let i = 0; i < 400 && app.schemaWarmup.status().pending > 0; i++) await sleep(10)
  t.equal(app.schemaWarmup.status().pending, 0, 'all compiled after start')
  const bad = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 5 } })
  t.equal(bad.statusCode, 400, 'a warmed body validator refuses a bad body')
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data.id
  const ok = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Warm', status: 'published', author_id: author } })
  t.equal(ok.statusCode, 201)
  t.equal(ok.json().data.title, 'Warm', 'and its warmed serializer answers')
})
