import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
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
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: false },
    staticCSP: false
  })
  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type('application/json; charset=utf-8').send(app.swagger())
  })
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true }))
  })
}, { name: 'swagger' })
