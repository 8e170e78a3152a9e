import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { API_SCOPES, type ApiScope } from '../../src/db/schema.js'
import { adminAuth, buildTestApp } from '../helper.js'
import { loadSpec, operationsOf, type Operation } from '../helpers/openapi-spec.js'

// Generated from openapi/openapi.json: every operation that requires a key answers 401 or 403
// before it reads the body, whatever the body is, so the answer tells an anonymous caller
// nothing about the write schema. A new protected route is covered as soon as it is in the spec.

const spec = loadSpec()
const secured = operationsOf(spec).filter((op) => op.secured)

/** The scopes the spec says an operation accepts, any one of them (`bearerAuth: [scope]` per requirement). */
function scopesOf (op: Operation): ApiScope[] {
  const security = spec.paths[op.path][op.method.toLowerCase()].security as Array<{ bearerAuth?: string[] }>
  return security.map((s) => s.bearerAuth?.[0] as ApiScope)
}

// A path value that no id or ref schema accepts, so validation would fail there too.
function urlOf (op: Operation): string {
  return `${op.path.replace(/\{[^}]+\}/g, 'x'.repeat(300))}?not_a_parameter=1`
}

interface Body { type: string | null, payload: string }

/** Invalid bodies of every kind: JSON, form, multipart, other types, none declared, and each type the operation documents. */
function invalidBodies (op: Operation): Body[] {
  if (op.method === 'GET') return [{ type: null, payload: '' }]
  const bodies: Body[] = [
    { type: 'application/json', payload: '{"not_a_field":true}' },
    { type: 'application/json', payload: '{"broken' },
    { type: 'application/x-www-form-urlencoded', payload: 'not_a_field=1' },
    { type: 'multipart/form-data; boundary=XyZ', payload: '--XyZ\r\nContent-Disposition: form-data; name="not_a_field"\r\n\r\n1\r\n--XyZ--\r\n' },
    { type: 'text/plain', payload: 'not a body' },
    { type: null, payload: '{"not_a_field":true}' }
  ]
  for (const type of Object.keys(op.body ?? {})) bodies.push({ type, payload: '<not-a-document' })
  return bodies
}

async function send (app: Awaited<ReturnType<typeof buildTestApp>>, op: Operation, body: Body, authorization?: string) {
  const headers: Record<string, string> = {}
  if (authorization !== undefined) headers.authorization = authorization
  if (body.type !== null) headers['content-type'] = body.type
  return app.inject({ method: op.method as 'GET', url: urlOf(op), headers, payload: body.payload === '' ? undefined : body.payload })
}

t.test('the spec lists the protected operations the contract names', async (t) => {
  const ids = new Set(secured.map((op) => op.id))
  for (const id of ['createPost', 'updatePost', 'deletePost', 'createPreviewLink', 'revokePreviewLinks', 'createCategory', 'createTag', 'createAuthor', 'updateSite', 'listKeys', 'createKey', 'revokeKey', 'listWebhooks', 'createWebhook', 'listComments', 'updateComment', 'deleteComment', 'importWxr', 'importFeed']) {
    t.ok(ids.has(id), `${id} requires a key`)
  }
  for (const op of secured) t.ok(scopesOf(op).every((s) => (API_SCOPES as readonly string[]).includes(s)), `${op.id} names its scopes (${scopesOf(op).join(', ')})`)
})

t.test('every protected operation answers 401 without a valid key and 403 without the scope, before reading the body', async (t) => {
  const app = await buildTestApp(t)
  const revoked = app.core.repos.keys.createSync('revoked', ['admin'])
  await app.core.repos.keys.revoke(revoked.row.id)
  const keyFor = new Map<ApiScope, string>()
  for (const scope of API_SCOPES) keyFor.set(scope, app.core.repos.keys.createSync(`only ${scope}`, [scope]).key)

  for (const op of secured) {
    const scopes = scopesOf(op)
    const others = API_SCOPES.filter((s) => !scopes.includes(s) && s !== 'admin')
    for (const body of invalidBodies(op)) {
      const label = `${op.id} with ${body.type ?? 'no content type'}`

      // Control: with the scope, this body is refused for what it is, so the answers below are not.
      const control = await send(app, op, body, adminAuth.authorization)
      t.ok(control.statusCode >= 400 && control.statusCode < 500 && control.statusCode !== 401 && control.statusCode !== 403, `${label}: refused for its content with the scope (${control.statusCode})`)

      const anonymous = await send(app, op, body)
      t.equal(anonymous.statusCode, 401, `${label}, no key: 401`)
      t.match(anonymous.headers['www-authenticate'], /^Bearer /, `${label}, no key: WWW-Authenticate: Bearer`)
      t.match(anonymous.headers['content-type'], /^application\/problem\+json/)
      t.notMatch(anonymous.body, /not_a_field|not_a_parameter|author_id|required/, `${label}, no key: nothing about the request schema`)

      for (const authorization of ['Bearer bs_not-a-key', `Bearer ${revoked.key}`, 'Basic dXNlcjpwYXNz']) {
        const res = await send(app, op, body, authorization)
        t.equal(res.statusCode, 401, `${label}, ${authorization.slice(0, 12)}…: 401`)
        t.match(res.headers['www-authenticate'], /^Bearer .*error="invalid_(token|request)"/)
      }

      for (const other of others) {
        const res = await send(app, op, body, `Bearer ${keyFor.get(other)}`)
        t.equal(res.statusCode, 403, `${label}, a key with only ${other}: 403`)
        t.match(res.json(), { code: 'FORBIDDEN', status: 403 })
      }
    }
  }
})

t.test('listing posts by a status other than published needs read:drafts before the query is checked', async (t) => {
  const app = await buildTestApp(t)
  const moderator = app.core.repos.keys.createSync('moderator', ['moderate:comments']).key
  const reader = app.core.repos.keys.createSync('reader', ['read:drafts']).key
  t.equal((await app.inject('/v1/posts?status=draft&per_page=1000')).statusCode, 401)
  t.equal((await app.inject('/v1/posts?status=nonsense')).statusCode, 401)
  t.equal((await app.inject({ url: '/v1/posts?status=draft&per_page=1000', headers: { authorization: `Bearer ${moderator}` } })).statusCode, 403)
  t.equal((await app.inject({ url: '/v1/posts?status=draft&per_page=1000', headers: { authorization: `Bearer ${reader}` } })).statusCode, 400, 'with the scope, the bad query is named')
  t.equal((await app.inject({ url: '/v1/posts?status=draft', headers: { authorization: `Bearer ${reader}` } })).statusCode, 200)
  t.equal((await app.inject('/v1/posts?status=published')).statusCode, 200, 'published needs no key')
  t.equal((await app.inject('/v1/posts?per_page=1000')).statusCode, 400, 'a public read is validated as before')
})

t.test('a write route that declares neither a scope nor public access refuses to start', async (t) => {
  const app = await buildApp(loadConfig({ DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' }))
  // Fastify runs onRoute hooks when the route is added or, inside a plugin, at ready.
  const start = async () => { app.post('/v1/forgotten', { schema: { hide: true } }, async () => ({ ok: true })); await app.ready() }
  await t.rejects(start(), /POST \/v1\/forgotten must declare config\.scope/)
  await app.close().catch(() => {})
})

t.test('a route that documents a required key without declaring its scope refuses to start', async (t) => {
  const app = await buildApp(loadConfig({ DATABASE_PATH: ':memory:', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' }))
  const start = async () => { app.get('/v1/secret', { schema: { security: [{ bearerAuth: [] }], response: { 200: { type: 'object' } } } }, async () => ({})); await app.ready() }
  await t.rejects(start(), /GET \/v1\/secret documents a required key/)
  await app.close().catch(() => {})
})
