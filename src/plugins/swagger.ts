import fp from 'fastify-plugin'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import swagger from '@fastify/swagger'
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui'
import { readFileSync } from 'node:fs'
import { projectPath } from '../lib/project-root.js'

const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }

export const API_DESCRIPTION = `Broadsheet is a headless content API for blogs and newsrooms.

* **Reading** is public and needs no key: posts, categories, tags, authors, related posts, comment threads, the site settings, feeds and the change log. Public reads send \`ETag\` and \`Cache-Control\`; send \`If-None-Match\` (or \`If-Modified-Since\` for feeds) to get a 304. They are compressed with brotli or gzip when \`Accept-Encoding\` asks (bodies over 1 KB; each encoding has its own ETag, and any of them gets a 304).
* **Lists** answer \`{ data, meta }\` with \`page\`/\`per_page\` (1–100, default 10) plus \`Link\` and \`X-Total-Count\` headers. Post lists also give \`meta.next_cursor\`: pass it back as \`cursor\` to continue after the last item, however deep.
* **Writing** needs \`Authorization: Bearer <key>\`. Keys carry scopes: \`read:drafts\`, \`write:content\`, \`moderate:comments\`, \`admin\`. Create one with \`npm run cli -- keys create --name me --scopes admin\` and press **Authorize**.
* **Errors** are RFC 9457 \`application/problem+json\` with a stable \`code\`; validation failures list each bad field in \`errors[]\`.
* **Unknown fields and parameters** are refused with a 400 naming them, so a typo never silently changes a result.`

export const OPENAPI_TAGS = [
  { name: 'Site', description: 'Site name, language and comment settings' },
  { name: 'Posts', description: 'Articles: lists with filters, search and cursors; single posts by id or slug' },
  { name: 'Pages', description: 'Static pages (About, Team…): a tree with paths and menu order, SEO fields' },
  { name: 'Sitemaps', description: 'Sitemaps for search engines and robots.txt' },
  { name: 'Related', description: 'Posts related to a post, with scores and reasons' },
  { name: 'Previews', description: 'Private preview links: a draft (or any post) for whoever holds the token, never cached' },
  { name: 'Comments', description: 'Comment threads, public submission and moderation' },
  { name: 'Categories', description: 'The category tree' },
  { name: 'Tags', description: 'Tags' },
  { name: 'Authors', description: 'Authors' },
  { name: 'Media', description: 'The media library: image uploads, and the images served resized and converted at /media' },
  { name: 'Feeds', description: 'RSS 2.0, Atom 1.0 and JSON Feed 1.1' },
  { name: 'Changes', description: 'The change log for mirroring content' },
  { name: 'Webhooks', description: 'Signed event deliveries to your endpoints (admin)' },
  { name: 'Imports', description: 'WordPress WXR and RSS/Atom/JSON Feed imports' },
  { name: 'Redirects', description: 'Old WordPress addresses of imported posts, for 301s' },
  { name: 'Export', description: 'The whole site as a WordPress export (WXR 1.2), admin' },
  { name: 'Sources', description: 'Feed subscriptions: feeds polled and imported as they grow (syndication in)' },
  { name: 'Keys', description: 'API keys and their scopes (admin)' },
  { name: 'Health', description: 'Liveness and readiness' }
]

/** The document with `components.schemas` sorted by name. */
export function sortComponents<T extends { components?: { schemas?: Record<string, unknown> } }> (document: T): T {
  const schemas = document.components?.schemas
  if (schemas === undefined) return document
  const sorted = Object.fromEntries(Object.keys(schemas).sort().map((name) => [name, schemas[name]]))
  return { ...document, components: { ...document.components, schemas: sorted } }
}

type Json = Record<string, unknown>

function isJsonObject (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `anyOf` whose members are each `{ type, enum }` of one type: the values, else undefined. */
function enumOfUnion (node: Json): { type: unknown, values: unknown[] } | undefined {
  const members = node.anyOf
  if (!Array.isArray(members) || members.length === 0) return undefined
  const type = (members[0] as Json).type
  const values: unknown[] = []
  for (const member of members as unknown[]) {
    if (!isJsonObject(member) || member.type !== type || typeof type !== 'string' || !Array.isArray(member.enum)) return undefined
    if (Object.keys(member).some((key) => key !== 'type' && key !== 'enum')) return undefined
    values.push(...(member.enum as unknown[]))
  }
  return { type, values }
}

/**
 * A union of literals (TypeBox's `Union([Literal('a'), Literal('b')])`) as one `enum`: the same
 * set of values, which Swagger UI shows as a list to choose from and code generators as a union
 * of literals, where `anyOf` shows as `string | (string | …)`. Walks the whole document.
 */
export function collapseEnums<T> (node: T): T {
  if (Array.isArray(node)) return node.map((item) => collapseEnums(item)) as T
  if (!isJsonObject(node)) return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) out[key] = collapseEnums(value)
  const union = enumOfUnion(out)
  if (union === undefined) return out as T
  const { anyOf: _anyOf, ...rest } = out
  return { type: union.type, enum: [...new Set(union.values)], ...rest } as T
}

/**
 * Query parameters without `example`: Swagger UI's "Try it out" fills a parameter's example in,
 * and an example filter (`category=politics`) would silently narrow the answer. The example
 * moves into the description, where a reader still sees it. Path parameters (required, so
 * filled in anyway) and headers keep theirs.
 */
export function queryExamplesInDescriptions<T extends { paths?: unknown }> (document: T): T {
  if (!isJsonObject(document.paths)) return document
  const paths: Json = {}
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isJsonObject(item)) { paths[path] = item; continue }
    const operations: Json = {}
    for (const [method, op] of Object.entries(item)) {
      if (!isJsonObject(op) || !Array.isArray(op.parameters)) { operations[method] = op; continue }
      const parameters = (op.parameters as unknown[]).map((p) => {
        if (!isJsonObject(p) || p.in !== 'query' || p.example === undefined) return p
        const { example, ...rest } = p
        const shown = typeof example === 'string' ? example : JSON.stringify(example)
        return { ...rest, description: `${typeof rest.description === 'string' ? rest.description : ''} (for example \`${shown}\`)`.trim() }
      })
      operations[method] = { ...op, parameters }
    }
    paths[path] = operations
  }
  return { ...document, paths }
}

/** Everything the committed and served document gets after the routes are read. */
export function finishDocument<T extends { paths?: unknown, components?: { schemas?: Record<string, unknown> } }> (document: T): T {
  return sortComponents(collapseEnums(queryExamplesInDescriptions(document)))
}

export const SWAGGER_UI_OPTIONS: FastifySwaggerUiOptions = {
  routePrefix: '/docs',
  uiConfig: { deepLinking: true, persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: false },
  staticCSP: false
}

/**
 * The routes @fastify/swagger-ui registers at /docs (its lib/routes.js, with @fastify/static's
 * wildcard for its files): GET ones (Fastify adds their HEAD) and the files' HEAD and GET.
 * test/plugins/swagger-lazy.test.ts checks this list against the package's own routes.
 */
export const DOCS_GET_ROUTES = ['/docs', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/docs/json', '/docs/yaml']
export const DOCS_FILES_ROUTE = '/docs/static/*'

/** Answers of the Swagger UI instance that the app gives its own handlers: no route, an error. */
const NOT_FOUND_MARK = 'x-broadsheet-docs-not-found'
const ERROR_MARK = 'x-broadsheet-docs-error'
/** Headers of the inner answer the outer one sets itself. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', NOT_FOUND_MARK, ERROR_MARK])

/**
 * The Swagger UI instance: @fastify/swagger-ui (with @fastify/static, send, yaml…) registered on
 * a bare Fastify instance of its own whose `swagger()` is the app's. Built by the first /docs
 * request, not at start-up: loading and registering it was about 60 ms of every start.
 */
async function buildSwaggerUi (document: FastifyInstance['swagger'], errors: Map<string, unknown>): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui')
  const ui = Fastify({ routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 } })
  // swagger-ui depends on a plugin of this name for `swagger()`.
  await ui.register(fp(async (instance) => { instance.decorate('swagger', document) }, { name: '@fastify/swagger' }))
  await ui.register(swaggerUi, SWAGGER_UI_OPTIONS)
  ui.setNotFoundHandler((_request, reply) => reply.code(404).header(NOT_FOUND_MARK, '1').send())
  let next = 0
  ui.setErrorHandler((error, _request, reply) => {
    const id = String(++next)
    errors.set(id, error)
    return reply.code(500).header(ERROR_MARK, id).send()
  })
  await ui.ready()
  return ui
}

/**
 * Swagger UI at /docs, built on first use (buildSwaggerUi). The app registers the same routes
 * the package would (DOCS_GET_ROUTES, DOCS_FILES_ROUTE), so the app's hooks (security headers,
 * CORS, auth, caching) run on them as before; each passes its request to the Swagger UI
 * instance and answers with its status, headers and body. A path it has no file for goes to
 * the app's not-found handler and an error to the app's error handler, as when it was
 * registered on the app itself.
 */
const lazySwaggerUi = async (app: FastifyInstance): Promise<void> => {
  const errors = new Map<string, unknown>()
  let ui: Promise<FastifyInstance> | undefined
  const forward = async (request: FastifyRequest, reply: FastifyReply, method: 'GET' | 'HEAD') => {
    if (ui === undefined) {
      ui = buildSwaggerUi(app.swagger.bind(app) as FastifyInstance['swagger'], errors)
      ui.catch(() => { ui = undefined })
    }
    const res = await (await ui).inject({ method, url: request.url, headers: request.headers })
    const errorId = res.headers[ERROR_MARK]
    if (typeof errorId === 'string') {
      const error = errors.get(errorId)
      errors.delete(errorId)
      throw error
    }
    if (res.headers[NOT_FOUND_MARK] !== undefined) return reply.callNotFound()
    reply.code(res.statusCode)
    for (const [name, value] of Object.entries(res.headers)) {
      if (!OWN_HEADERS.has(name) && value !== undefined) reply.header(name, value)
    }
    return res.rawPayload.length === 0 ? reply.send() : reply.send(res.rawPayload)
  }
  app.addHook('onClose', async () => {
    const built = await ui?.catch(() => undefined)
    await built?.close()
  })
  // A HEAD of a GET route is Fastify's: the GET answer without its body.
  for (const url of DOCS_GET_ROUTES) {
    app.get(url, { schema: { hide: true } }, async (request, reply) => { await forward(request, reply, 'GET'); return reply })
  }
  app.route({
    method: ['HEAD', 'GET'],
    url: DOCS_FILES_ROUTE,
    schema: { hide: true },
    handler: async (request, reply) => { await forward(request, reply, request.method === 'HEAD' ? 'HEAD' : 'GET'); return reply }
  })
}

/**
 * Generates the OpenAPI 3.1 document from the route schemas and serves Swagger UI at /docs.
 * Shared schemas keep their $id as component names so the committed spec diffs cleanly.
 */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Broadsheet API', version: pkg.version, description: API_DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
      tags: OPENAPI_TAGS,
      // Relative: the API answers where this document is served, so Swagger UI's "Try it out"
      // calls the same server whatever host or proxy it is reached through.
      servers: [{ url: '/', description: 'The server that serves this document' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer bs_…`. Scopes: read:drafts, write:content, moderate:comments, admin.' }
        }
      }
    },
    hideUntagged: true,
    // Components in name order: the modules add their schemas as they register, so without this
    // a change in registration order would reorder the committed spec. Then enums and query
    // examples as the functions above say.
    transformObject: (document) => 'openapiObject' in document ? finishDocument(document.openapiObject) : document.swaggerObject,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`)
    }
  })
  await app.register(lazySwaggerUi)
  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type('application/json; charset=utf-8').send(app.swagger())
  })
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true }))
  })
}, { name: 'swagger' })
