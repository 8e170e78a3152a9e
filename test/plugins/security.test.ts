import t from 'tap'
import Fastify from 'fastify'
import problemDetails from '../../src/plugins/problem-details.js'
import securityPlugin from '../../src/plugins/security.js'

async function appWithRoute () {
  const app = Fastify()
  await app.register(problemDetails)
  await app.register(securityPlugin, { maxEventLoopDelay: 0 })
  app.get('/v1/thing', async () => ({ ok: true }))
  return app
}

t.test('API answers carry the API security headers', async (t) => {
  const app = await appWithRoute()
  t.teardown(() => app.close())
  const res = await app.inject('/v1/thing')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'DENY')
  t.match(String(res.headers['content-security-policy']), /default-src 'none'/)
  t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', 'feeds and JSON may be read from other origins')
})

t.test('Swagger UI gets the policy it needs, API answers the strict one', async (t) => {
  const app = await appWithRoute()
  t.teardown(() => app.close())
  app.get('/docs/page', async () => 'docs')
  const docs = await app.inject('/docs/page')
  t.match(String(docs.headers['content-security-policy']), /script-src 'self'/)
  t.notMatch(String(docs.headers['content-security-policy']), /upgrade-insecure-requests/, 'Try it out works on plain http')
  t.match(String((await app.inject('/v1/thing')).headers['content-security-policy']), /frame-ancestors 'none'/)
})
