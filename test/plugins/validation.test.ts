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

t.test('a body string or key holding U+0000 is refused by name, with the other errors (PostgreSQL cannot store it)', async (t) => {
  const app = await appWithRoute(t)
  const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"title":"a\\u0000b","count":"x","tags":["ok","c\\u0000"],"k\\u0000":1}' })
  t.equal(res.statusCode, 400)
  const message = res.json().message as string
  t.match(message, 'count', 'the schema error is still reported')
  t.match(message, 'title must not contain the NUL character', 'names the string')
  t.match(message, 'tags/1 must not contain the NUL character', 'names an array item')
  t.match(message, 'k\u0000 must not contain the NUL character', 'names a key')
  const ok = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"title":"a\\\\u0000b","count":1}' })
  t.equal(ok.statusCode, 200, 'the six characters \\u0000 as text are fine')
})

t.test('a hostile body nested thousands deep is refused by its schema, not walked to a stack overflow', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: { ...adminAuth, 'content-type': 'application/json' }, payload: `{"title":"a","author_id":1,"x":${'['.repeat(20000)}"\\u0000"${']'.repeat(20000)}}` })
  t.equal(res.statusCode, 400)
  t.match(res.json().errors, [{ in: 'body', path: 'x', message: 'is not a known field' }])
})

t.test('a post written with U+0000 in its title is a 400 problem naming the field; nothing is stored', async (t) => {
  const app = await buildTestApp(t)
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data.id as number
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: { ...adminAuth, 'content-type': 'application/json' }, payload: `{"title":"Hi\\u0000there","content_html":"<p>x</p>","status":"published","author_id":${author}}` })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], 'application/problem+json')
  t.match(res.json().errors, [{ in: 'body', path: 'title', message: 'must not contain the NUL character (U+0000)' }])
  const list = await app.inject({ url: '/v1/posts?status=any', headers: adminAuth })
  t.notOk((list.json().data as Array<{ title: string }>).some((p) => p.title.includes('there')))
})
