import t from 'tap'
import Fastify from 'fastify'
import swaggerPlugin, { sortComponents } from '../../src/plugins/swagger.js'

t.test('components are listed by name whatever order they were added in', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  for (const id of ['Zebra', 'Apple', 'Mango']) app.addSchema({ $id: id, type: 'object', properties: { name: { type: 'string' } } })
  await app.register(swaggerPlugin)
  app.get('/fruit', { schema: { tags: ['Posts'], response: { 200: { $ref: 'Mango#' } } } }, async () => ({ name: 'x' }))
  await app.ready()
  const spec = app.swagger() as { components: { schemas: Record<string, unknown> }, openapi: string }
  t.equal(spec.openapi, '3.1.0')
  t.same(Object.keys(spec.components.schemas), ['Apple', 'Mango', 'Zebra'])
  const served = await app.inject('/openapi.json')
  t.same(Object.keys(served.json().components.schemas), ['Apple', 'Mango', 'Zebra'], 'the served document too')
  t.equal((await app.inject('/docs')).statusCode < 400, true, 'Swagger UI is served')
})

t.test('sortComponents leaves a document without components alone', async (t) => {
  const doc: { openapi: string, components?: { schemas?: Record<string, unknown> } } = { openapi: '3.1.0' }
  t.equal(sortComponents(doc), doc)
})
