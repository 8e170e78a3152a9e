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
  { name: 'Comments', description: 'Comment threads, public submission and moderation' },
  { name: 'Categories', description: 'The category tree' },
  { name: 'Tags', description: 'Tags' },
  { name: 'Authors', description: 'Authors' },
  { name: 'Feeds', description: 'RSS 2.0, Atom 1.0 and JSON Feed 1.1' },
  { name: 'Changes', description: 'The change log for mirroring content' },
  { name: 'Webhooks', description: 'Signed event deliveries to your endpoints (admin)' },
  { name: 'Imports', description: 'WordPress WXR and RSS/Atom/JSON Feed imports' },
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
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer bs_…`. Scopes: read:drafts, write:content, moderate:comments, admin.' }
        }
      }
    },
    hideUntagged: true,
    // Components in name order: the modules add their schemas as they register, so without this
    // a change in registration order would reorder the committed spec.
    transformObject: (document) => 'openapiObject' in document ? sortComponents(document.openapiObject) : document.swaggerObject,
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
