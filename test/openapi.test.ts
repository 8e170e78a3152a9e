import t from 'tap'
import { readFileSync } from 'node:fs'
import { generateOpenApi, OPENAPI_PATH } from '../src/scripts/generate-openapi.js'

t.test('openapi/openapi.json is up to date with the routes', async (t) => {
  const generated = await generateOpenApi()
  const committed = readFileSync(OPENAPI_PATH, 'utf8')
  t.ok(generated === committed, 'openapi/openapi.json is stale: run `npm run openapi` and commit the result')
})

t.test('every operation is documented for developers and code generators', async (t) => {
  const spec = JSON.parse(await generateOpenApi())
  t.equal(spec.openapi, '3.1.0')
  const ids = new Set<string>()
  const tagNames = new Set(spec.tags.map((tag: { name: string }) => tag.name))
  let operations = 0
  for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue
      operations++
      const where = `${method.toUpperCase()} ${path}`
      t.type(op.operationId, 'string', `${where} has an operationId`)
      t.notOk(ids.has(op.operationId as string), `${where} operationId is unique`)
      ids.add(op.operationId as string)
      t.type(op.summary, 'string', `${where} has a summary`)
      t.ok(Array.isArray(op.tags) && (op.tags as string[]).every((tag) => tagNames.has(tag)), `${where} has declared tags`)
      const responses = op.responses as Record<string, { content?: Record<string, unknown> }>
      const errors = Object.keys(responses).filter((s) => s.startsWith('4'))
      if (path !== '/health' && path !== '/ready') t.ok(errors.length > 0, `${where} documents its errors`)
      for (const status of errors) {
        t.ok(responses[status].content?.['application/problem+json'], `${where} ${status} is application/problem+json`)
      }
      for (const p of (op.parameters ?? []) as Array<{ name: string, description?: string }>) {
        t.type(p.description, 'string', `${where} parameter ${p.name} is described`)
      }
    }
  }
  t.ok(operations >= 20, `${operations} operations documented`)
  t.ok(spec.components.schemas.Problem, 'the Problem schema is a named component')
  t.ok(spec.components.securitySchemes.bearerAuth)
})

t.test('the spec is served as JSON and YAML, and Swagger UI at /docs', async (t) => {
  const { buildTestApp } = await import('./helper.js')
  const app = await buildTestApp(t)
  const json = await app.inject('/openapi.json')
  t.equal(json.statusCode, 200)
  t.equal(json.json().info.title, 'Broadsheet API')
  const yaml = await app.inject('/openapi.yaml')
  t.equal(yaml.statusCode, 200)
  t.match(yaml.headers['content-type'], /yaml/)
  t.match(yaml.body, /openapi: 3\.1\.0/)
  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.body, /swagger-ui/i)
})
