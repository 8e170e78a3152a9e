import t from 'tap'
import Fastify, { type RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'
import { DOCS_FILES_ROUTE, DOCS_GET_ROUTES, SWAGGER_UI_OPTIONS } from '../../src/plugins/swagger.js'
import { buildTestApp } from '../helper.js'

// Swagger UI is registered on an instance of its own by the first /docs request
// (src/plugins/swagger.ts); the app registers the routes the package would. Byte-for-byte
// sameness of the answers (headers, conditional and range requests, HEAD, 404s and 403s of the
// static files) with the package registered on the app was checked when this was introduced.

t.test('the app declares exactly the routes @fastify/swagger-ui registers', async (t) => {
  // The app's router options (app.ts): with ignoreTrailingSlash, /docs/ is the route /docs.
  const ui = Fastify({ routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 } })
  t.teardown(() => ui.close())
  const routes: string[] = []
  ui.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`)
  })
  await ui.register(fp(async (instance) => { instance.decorate('swagger', () => '') }, { name: '@fastify/swagger' }))
  await ui.register(swaggerUi, SWAGGER_UI_OPTIONS)
  await ui.ready()
  const declared = [...DOCS_GET_ROUTES.flatMap((url) => [`GET ${url}`, `HEAD ${url}`]), `HEAD ${DOCS_FILES_ROUTE}`, `GET ${DOCS_FILES_ROUTE}`]
  t.same([...new Set(routes)].sort(), declared.sort())
})

t.test('/docs is served by the Swagger UI built on first use', async (t) => {
  const app = await buildTestApp(t)
  const [page, again] = await Promise.all([app.inject('/docs'), app.inject('/docs/')])
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /swagger-initializer\.js/)
  t.equal(again.statusCode, 200, 'two first requests at once share one build')
  t.match(page.headers['content-security-policy'], /validator\.swagger\.io/, "the app's docs headers")
  t.ok(page.headers['x-request-id'], "the app's hooks ran")

  const json = await app.inject('/docs/json')
  t.equal(json.statusCode, 200)
  t.same(json.json(), app.swagger(), "the app's document")
  t.match((await app.inject('/docs/yaml')).headers['content-type'], /yaml/)

  const css = await app.inject('/docs/static/index.css')
  t.equal(css.statusCode, 200)
  t.match(css.headers['content-type'], /^text\/css/)
  const etag = css.headers.etag as string
  t.equal((await app.inject({ url: '/docs/static/index.css', headers: { 'if-none-match': etag } })).statusCode, 304)
  const head = await app.inject({ method: 'HEAD', url: '/docs/static/index.css' })
  t.equal(head.headers['content-length'], css.headers['content-length'], 'HEAD tells the length')
  t.equal(head.body, '')
  const headPage = await app.inject({ method: 'HEAD', url: '/docs' })
  t.equal(headPage.headers['content-length'], page.headers['content-length'])

  const missing = await app.inject('/docs/static/nope.js')
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /^application\/problem\+json/, "the app's not-found problem")
  const refused = await app.inject('/docs/static/%00')
  t.equal(refused.statusCode, 403)
  t.match(refused.headers['content-type'], /^application\/problem\+json/, "the app's error handler")
  t.equal((await app.inject({ method: 'POST', url: '/docs' })).statusCode, 404)
  const redirect = await app.inject('/docs/static/index.html')
  t.equal(redirect.statusCode, 302)
  t.equal(redirect.headers.location, '/docs/')
})
