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

t.test('the spec passes Redocly\'s recommended rules with no error and no warning', async (t) => {
  // A standard OpenAPI linter run over the committed document, as a CI step would run it.
  const { createConfig, lintFromString } = await import('@redocly/openapi-core')
  const config = await createConfig({ extends: ['recommended'] })
  const problems = await lintFromString({ source: readFileSync(OPENAPI_PATH, 'utf8'), absoluteRef: OPENAPI_PATH, config })
  t.same(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`), [], 'no problems')
})

t.test('what Swagger UI and code generators read: servers, enums, query examples, summaries, access', async (t) => {
  const spec = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'))
  t.same(spec.servers, [{ url: '/', description: 'The server that serves this document' }], 'a relative server: Try it out calls this server')
  const text = JSON.stringify(spec)
  t.notMatch(text, /"anyOf":\[\{"type":"string","enum":\["[^"]*"\]\}/, 'no union of single-value enums is left anywhere')
  const posts = spec.paths['/v1/posts'].get
  const param = (name: string) => posts.parameters.find((p: { name: string }) => p.name === name)
  t.same(param('status').schema, { type: 'string', enum: ['draft', 'scheduled', 'published', 'archived', 'any'] })
  t.same(param('sort').schema, { type: 'string', enum: ['-published_at', 'published_at', '-updated_at', 'title', 'relevance'], default: '-published_at' })
  for (const [path, item] of Object.entries<Record<string, { parameters?: Array<{ in: string, name: string, example?: unknown, examples?: unknown }>, summary: string, security: unknown[], description?: string }>>(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`
      for (const p of op.parameters ?? []) {
        if (p.in === 'query') t.ok(p.example === undefined && p.examples === undefined, `${where} ?${p.name} has no example for Try it out to fill in`)
      }
      // Summaries read as what the caller does: "Create an author", "List posts".
      t.match(op.summary, /^(Get|List|Create|Change|Delete|Revoke|Post|Moderate|Follow|Send|Import|Export|Cancel|Check|Poll|Rotate|Upload|Update|Subscribe|Unsubscribe|Restore) .*[^.\s]$/, `${where} summary "${op.summary}" starts with a verb`)
      t.ok(Array.isArray(op.security) && op.security.length > 0, `${where} declares its security`)
    }
  }
  const refExample = (path: string) => spec.paths[path].get.parameters.find((p: { name: string }) => p.name === 'ref').example
  t.same(['/v1/posts/{ref}', '/v1/categories/{ref}', '/v1/tags/{ref}', '/v1/authors/{ref}'].map(refExample), ['blinken-warns-russia', 'politics', 'ukraine', 'maria-lopez'], 'a {ref} example is a slug of its own kind')
  t.equal(param('category').description, 'Category id or slug; includes its sub-categories (for example `politics`)', 'the example moved into the description')
  // A key changes nothing here: no lock in Swagger UI.
  for (const [path, method] of [['/v1/site', 'get'], ['/feeds/rss.xml', 'get'], ['/v1/posts/{ref}/comments', 'post'], ['/health', 'get']]) {
    t.same(spec.paths[path][method].security, [{}], `${method.toUpperCase()} ${path} needs no key`)
    t.ok(spec.paths[path][method].responses['401'], `${method.toUpperCase()} ${path} documents the 401 of a bad key`)
  }
  // A key shows more here: optional, with the scopes that do, said first in the description.
  t.same(posts.security, [{}, { bearerAuth: ['read:drafts'] }])
  t.match(posts.description, /^\*\*Key optional\*\*: without one, what the public may see; a key with `read:drafts` shows more\. Published posts/)
  t.same(spec.paths['/v1/posts/{ref}'].get.security, [{}, { bearerAuth: ['read:drafts'] }])
  t.same(spec.paths['/v1/categories'].get.security, [{}, { bearerAuth: ['read:drafts'] }, { bearerAuth: ['write:content'] }])
  t.match(spec.paths['/v1/tags/{ref}'].get.description, /^\*\*Key optional\*\*: .* `read:drafts` or `write:content` shows more\./)
  t.same(spec.paths['/v1/posts'].post.security, [{ bearerAuth: ['write:content'] }], 'a write still needs its scope')
})

t.test('a list item\'s fields are required; a list read with `fields` is typed as sparse', async (t) => {
  const spec = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'))
  const summary = spec.components.schemas.PostSummary
  t.same([...summary.required].sort(), Object.keys(summary.properties).filter((k) => k !== 'content_html' && k !== 'snippet').sort(), 'every field but content_html and snippet')
  t.equal(spec.components.schemas.SparsePostSummary.required, undefined, 'the sparse item has none')
  t.same(spec.paths['/v1/posts'].get.responses['200'].content['application/json'].schema.anyOf, [
    { $ref: '#/components/schemas/PostList' }, { $ref: '#/components/schemas/SparsePostList' }
  ])

  // Real answers, checked against the committed components by an independent validator.
  const { default: { Ajv2020 } } = await import('ajv/dist/2020.js') // module.exports: a bundled test sees only the default of a CommonJS module it imports dynamically
  const ajv = new Ajv2020({ strict: false, validateFormats: false, logger: false })
  ajv.addSchema({ ...spec, $id: 'https://broadsheet.test/openapi.json' })
  const full = ajv.compile({ $ref: 'https://broadsheet.test/openapi.json#/components/schemas/PostList' })
  const sparse = ajv.compile({ $ref: 'https://broadsheet.test/openapi.json#/components/schemas/SparsePostList' })
  const { buildTestApp } = await import('./helper.js')
  const { makeCategory, makePost } = await import('./helpers/factories.js')
  const app = await buildTestApp(t)
  makePost(app.db, { categoryIds: [makeCategory(app.db).id] })
  makePost(app.db, { featuredImageUrl: null })
  const all = (await app.inject('/v1/posts')).json()
  t.equal(all.data.length, 2)
  t.ok(full(all), `a list without fields is a PostList: ${JSON.stringify(full.errors)}`)
  const narrowed = (await app.inject('/v1/posts?fields=id,title')).json()
  t.ok(sparse(narrowed), 'a list with fields is a SparsePostList')
  t.notOk(full(narrowed), 'and not a PostList')
})

t.test('a single post, related posts and term lists read with `fields` are documented and typed as sparse', async (t) => {
  const spec = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'))
  const answer = (path: string) => spec.paths[path].get.responses['200'].content['application/json'].schema
  t.same(answer('/v1/posts/{ref}').anyOf, [{ $ref: '#/components/schemas/PostEnvelope' }, { $ref: '#/components/schemas/SparsePostEnvelope' }])
  t.same(answer('/v1/posts/{ref}/related').anyOf, [{ $ref: '#/components/schemas/RelatedPostList' }, { $ref: '#/components/schemas/SparseRelatedPostList' }])
  for (const [path, item] of [['/v1/categories', 'Category'], ['/v1/tags', 'Tag'], ['/v1/authors', 'Author']]) {
    t.same(answer(path).anyOf.map((o: { properties: { data: { items: unknown } } }) => o.properties.data.items), [
      { $ref: `#/components/schemas/${item}` }, { $ref: `#/components/schemas/Sparse${item}` }
    ], `${path}: the full or the sparse items`)
    t.equal(spec.components.schemas[`Sparse${item}`].required, undefined, `Sparse${item} has no required field`)
    t.match(spec.paths[path].get.parameters.find((p: { name: string }) => p.name === 'fields')?.description, /from: id, slug, name/, `${path}: fields lists what it may name`)
  }
  for (const name of ['SparsePost', 'SparseRelatedPost']) t.equal(spec.components.schemas[name].required, undefined, `${name} has no required field`)

  const { default: { Ajv2020 } } = await import('ajv/dist/2020.js') // module.exports: a bundled test sees only the default of a CommonJS module it imports dynamically
  const ajv = new Ajv2020({ strict: false, validateFormats: false, logger: false })
  ajv.addSchema({ ...spec, $id: 'https://broadsheet.test/openapi.json' })
  const check = (name: string) => ajv.compile({ $ref: `https://broadsheet.test/openapi.json#/components/schemas/${name}` })
  const { buildTestApp } = await import('./helper.js')
  const { makeCategory, makePost } = await import('./helpers/factories.js')
  const app = await buildTestApp(t)
  const parent = makeCategory(app.db)
  const post = makePost(app.db, { categoryIds: [makeCategory(app.db, { parentId: parent.id }).id] })
  const whole = (await app.inject(`/v1/posts/${post.id}`)).json()
  t.ok(check('PostEnvelope')(whole), 'a post without fields is a PostEnvelope')
  const narrowed = (await app.inject(`/v1/posts/${post.id}?fields=id,primary_category`)).json()
  t.ok(check('SparsePostEnvelope')(narrowed), 'with fields, a SparsePostEnvelope')
  t.notOk(check('PostEnvelope')(narrowed), 'and not a PostEnvelope')
  const categories = (await app.inject('/v1/categories?fields=slug,path')).json()
  t.ok(check('SparseCategory')(categories.data[0]), 'a category read with fields is a SparseCategory')
  t.notOk(check('Category')(categories.data[0]), 'and not a Category')
})
