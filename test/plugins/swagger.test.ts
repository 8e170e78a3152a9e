import t from 'tap'
import Fastify from 'fastify'
import swaggerPlugin, { collapseEnums, queryExamplesInDescriptions, sortComponents } from '../../src/plugins/swagger.js'

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

t.test('a union of literals becomes one enum; other unions stay as they are', async (t) => {
  const literals = { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'string', enum: ['b', 'c'] }], default: 'a', description: 'd' }
  t.same(collapseEnums({ properties: { x: literals } }), { properties: { x: { type: 'string', enum: ['a', 'b', 'c'], default: 'a', description: 'd' } } }, 'nested, with its keywords')
  const mixed = { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'integer', enum: [1] }] }
  t.same(collapseEnums(mixed), mixed, 'values of different types')
  const withNull = { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'null' }] }
  t.same(collapseEnums(withNull), withNull, 'a nullable union')
  const formatted = { anyOf: [{ type: 'string', enum: ['a'], description: 'first' }, { type: 'string', enum: ['b'] }] }
  t.same(collapseEnums(formatted), formatted, 'a member that says more than its value')
  t.same(collapseEnums([{ anyOf: [] }, 'x', null]), [{ anyOf: [] }, 'x', null])
})

t.test('query parameters lose their example to the description; path parameters and headers keep theirs', async (t) => {
  const doc = {
    paths: {
      '/p/{ref}': {
        get: {
          parameters: [
            { in: 'query', name: 'tag', description: 'A tag', example: 'nato' },
            { in: 'query', name: 'ids', example: [1, 2] },
            { in: 'query', name: 'q', description: 'Text' },
            { in: 'path', name: 'ref', example: 'a-post' },
            { in: 'header', name: 'prefer', example: 'wait=10' }
          ]
        },
        summary: 'not an operation'
      }
    }
  }
  t.same(queryExamplesInDescriptions(doc).paths['/p/{ref}'], {
    get: {
      parameters: [
        { in: 'query', name: 'tag', description: 'A tag (for example `nato`)' },
        { in: 'query', name: 'ids', description: '(for example `[1,2]`)' },
        { in: 'query', name: 'q', description: 'Text' },
        { in: 'path', name: 'ref', example: 'a-post' },
        { in: 'header', name: 'prefer', example: 'wait=10' }
      ]
    },
    summary: 'not an operation'
  })
  const bare: { openapi: string, paths?: unknown } = { openapi: '3.1.0' }
  t.equal(queryExamplesInDescriptions(bare), bare, 'a document without paths')
})
