import type { Test } from 'tap'
import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import authPlugin from '../../src/plugins/auth.js'
import problemDetails from '../../src/plugins/problem-details.js'
import quotasPlugin from '../../src/plugins/quotas.js'
import { createSchemaController } from '../../src/plugins/validation.js'
import { sharedSchemas } from '../../src/schemas/common.js'
import keysModule from '../../src/modules/keys/index.js'
import { KEY_PREFIX_LENGTH, type KeysRepository } from '../../src/modules/keys/keys-repository.js'
import { hashKey } from '../../src/lib/key-hash.js'

// The API keys module, run on SQLite (test/modules/keys/) and on PostgreSQL
// (test/db/pg-keys.test.ts): the repository (every method a Promise), the quota counts, and
// the admin routes with the auth and quota plugins over it (a small app: the full one is built
// on SQLite only until core.ts builds from either engine).

const ADMIN = 'keys-cases-admin-token-0123456789abcdef'
const adminAuth = { authorization: `Bearer ${ADMIN}` }
const DAY = 86_400_000
/** A fixed time, 10 s into a minute, so a test never crosses into the next minute. */
const T0 = Date.UTC(2026, 10, 30, 12, 0, 10)

/** A small app over a repository: problems, validation, auth, quotas and the keys routes. */
export async function keysApp (t: Test, repo: KeysRepository, warnings: unknown[] = []) {
  const app = Fastify({
    logger: { level: 'warn', stream: { write: (line: string) => { warnings.push(JSON.parse(line)) } } },
    schemaController: createSchemaController()
  }).withTypeProvider<TypeBoxTypeProvider>()
  await app.register(problemDetails)
  for (const schema of sharedSchemas) app.addSchema(schema)
  await app.register(authPlugin, { findKey: repo.findByHash, touchKey: repo.touch, adminToken: ADMIN })
  await app.register(quotasPlugin, { consume: repo.consume })
  await app.register(keysModule, { repo })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

/** Every case, in order, against a repository over an empty api_keys table. */
export async function keysCases (t: Test, repo: KeysRepository): Promise<void> {
  t.test('a key is made, found by its hash, id and prefix, and listed; every answer a Promise', async (t) => {
    const answer = repo.create('newsroom tool', ['write:content', 'read:drafts'], T0)
    t.ok(answer instanceof Promise, 'create answers a Promise')
    const { row, key } = await answer
    t.match(key, /^bs_[A-Za-z0-9_-]{43}$/)
    t.match(row, { name: 'newsroom tool', prefix: key.slice(0, KEY_PREFIX_LENGTH), scopes: ['write:content', 'read:drafts'], createdAt: T0, lastUsedAt: null, revokedAt: null, rateLimitPerMinute: null, rateLimitPerDay: null })
    t.not(row.keyHash, key, 'only the hash is kept')
    const lookup = repo.findByHash(hashKey(key))
    t.ok(lookup instanceof Promise)
    t.strictSame(await lookup, row)
    t.equal(await repo.findByHash(hashKey(key + 'x')), undefined)
    t.equal(await repo.findByHash('\u0000'), undefined, 'a NUL answers nothing (PostgreSQL text cannot hold one)')
    t.strictSame(await repo.findById(row.id), row)
    t.equal(await repo.findById(row.id + 1000), undefined)
    t.strictSame(await repo.findByPrefix(row.prefix), [row])
    t.strictSame(await repo.findByPrefix(row.prefix.slice(0, 5)), [row], 'a shorter start of it')
    t.strictSame(await repo.findByPrefix('b_'), [], '`_` is no wildcard')
    t.strictSame(await repo.findByPrefix('bs_\u0000'), [])
    const second = await repo.create('second', ['admin'], T0 + 1, { perMinute: 5, perDay: null })
    t.match(second.row, { rateLimitPerMinute: 5, rateLimitPerDay: null })
    t.equal(await repo.count(), 2)
    t.strictSame((await repo.list(10, 0)).map((r) => r.name), ['newsroom tool', 'second'], 'oldest first')
    t.strictSame((await repo.list(1, 1)).map((r) => r.name), ['second'])
    t.strictSame(await repo.list(10, 2), [])
  })

  t.test('touch records a use at most once a minute', async (t) => {
    const { row } = await repo.create('touched', ['read:drafts'], T0)
    t.equal(await repo.touch(row.id, T0 + 1000, null), true, 'never used: written')
    t.equal((await repo.findById(row.id))!.lastUsedAt, T0 + 1000)
    t.equal(await repo.touch(row.id, T0 + 30_000, T0 + 1000), false, 'used 29 s ago, as read: not even asked')
    t.equal(await repo.touch(row.id, T0 + 30_000, null), false, 'a caller that read an older row: the write skips it')
    t.equal((await repo.findById(row.id))!.lastUsedAt, T0 + 1000)
    t.equal(await repo.touch(row.id, T0 + 62_000, T0 + 1000), true, 'a minute later: written again')
    t.equal((await repo.findById(row.id))!.lastUsedAt, T0 + 62_000)
  })

  t.test('revoke and update', async (t) => {
    const { row, key } = await repo.create('old', ['read:drafts'], T0)
    t.equal(await repo.revoke(row.id, T0 + 5), true)
    t.equal(await repo.revoke(row.id, T0 + 6), false, 'once')
    t.equal(await repo.revoke(row.id + 1000), false, 'no such key')
    t.match(await repo.findByHash(hashKey(key)), { id: row.id, revokedAt: T0 + 5 }, 'still found, as revoked')
    const updated = await repo.update(row.id, { name: 'renamed', perMinute: 10, perDay: 1000 })
    t.match(updated, { id: row.id, name: 'renamed', rateLimitPerMinute: 10, rateLimitPerDay: 1000 })
    t.match(await repo.update(row.id, { name: 'renamed', perMinute: null, perDay: null }), { rateLimitPerMinute: null, rateLimitPerDay: null })
    t.equal(await repo.update(row.id + 1000, { name: 'x', perMinute: null, perDay: null }), undefined)
  })

  t.test('consume: every request counted per day; quotas refuse beyond and count the 429s', async (t) => {
    const { row } = await repo.create('counted', ['read:drafts'], T0)
    const none = { perMinute: null, perDay: null }
    t.strictSame(await repo.consume(row.id, none, T0), { allowed: true, policies: [] })
    t.strictSame(await repo.consume(row.id, none, T0 + 1), { allowed: true, policies: [] })
    const day = Math.floor(T0 / DAY) * DAY
    t.strictSame(await repo.usage(row.id, day), [{ start: day, requests: 2, limited: 0 }], 'no quota: counted all the same')

    const limits = { perMinute: 2, perDay: 3 }
    const first = await repo.consume(row.id, limits, T0 + 2)
    t.strictSame(first, {
      allowed: true,
      policies: [
        { name: 'minute', quota: 2, window: 60, remaining: 1, reset: 50 },
        { name: 'day', quota: 3, window: 86400, remaining: 0, reset: Math.ceil((day + DAY - T0 - 2) / 1000) }
      ]
    }, 'the day had 2 already')
    const refused = await repo.consume(row.id, limits, T0 + 3)
    t.equal(refused.allowed, false, 'the day is used up')
    t.match(refused.policies, [{ name: 'minute', remaining: 1 }, { name: 'day', remaining: 0 }])
    t.strictSame(await repo.usage(row.id, day), [{ start: day, requests: 3, limited: 1 }], 'the 429 counted apart')
    t.strictSame(await repo.usage(row.id, day + DAY), [], 'from a later day: none')

    // The minute quota alone, for a key of its own.
    const other = (await repo.create('per minute', ['read:drafts'], T0)).row
    const perMinute = { perMinute: 2, perDay: null }
    const answers = []
    for (let i = 0; i < 3; i++) answers.push(await repo.consume(other.id, perMinute, T0 + i))
    t.strictSame(answers.map((a) => a.allowed), [true, true, false])
    t.strictSame(answers.map((a) => a.policies[0].remaining), [1, 0, 0])
    t.equal((await repo.consume(other.id, perMinute, T0 + 60_000)).allowed, true, 'the next minute starts afresh')
    t.strictSame(await repo.usage(other.id, day), [{ start: day, requests: 3, limited: 1 }])
  })

  t.test('requests counted at once share the quota exactly', async (t) => {
    const { row } = await repo.create('busy', ['read:drafts'], T0)
    const limits = { perMinute: 5, perDay: null }
    const answers = await Promise.all(Array.from({ length: 12 }, async (_, i) => await repo.consume(row.id, limits, T0 + i)))
    t.equal(answers.filter((a) => a.allowed).length, 5, 'five allowed, whatever the order')
    const day = Math.floor(T0 / DAY) * DAY
    t.strictSame(await repo.usage(row.id, day), [{ start: day, requests: 5, limited: 7 }])
  })

  t.test('over HTTP: a key with NUL in its name is a 400 naming the field; a key works, counts and records its use', async (t) => {
    const warnings: unknown[] = []
    const app = await keysApp(t, repo, warnings)
    const { row: existing } = await repo.create('to rename', ['read:drafts'], T0)
    for (const [method, url, payload] of [['POST', '/v1/keys', { name: 'bad\u0000name', scopes: ['admin'] }], ['PATCH', `/v1/keys/${existing.id}`, { name: 'bad\u0000name' }]] as const) {
      const res = await app.inject({ method, url, headers: adminAuth, payload })
      t.equal(res.statusCode, 400, `${method} ${url}`)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.match(res.json(), { status: 400, code: 'VALIDATION_FAILED', errors: [{ in: 'body', path: 'name', message: /NUL/ }] }, 'the field is named')
    }
    const created = await app.inject({ method: 'POST', url: '/v1/keys', headers: adminAuth, payload: { name: 'over http', scopes: ['admin'], rate_limit_per_minute: 2 } })
    t.equal(created.statusCode, 201)
    const { id, key } = created.json().data
    const auth = { authorization: `Bearer ${key}` }
    const ok = await app.inject({ url: `/v1/keys/${id}/usage`, headers: auth })
    t.equal(ok.statusCode, 200)
    t.match(ok.headers.ratelimit, /"minute";r=1;/)
    t.equal((await app.inject({ url: `/v1/keys/${id}/usage`, headers: auth })).statusCode, 200)
    const limited = await app.inject({ url: `/v1/keys/${id}/usage`, headers: auth })
    t.equal(limited.statusCode, 429)
    t.ok(Number(limited.headers['retry-after']) >= 1)
    t.equal((await repo.findById(existing.id))!.name, 'to rename', 'the refused PATCH changed nothing')
    // The touch is not awaited by the request: settled at once on SQLite, a round trip on PostgreSQL.
    let usage = (await app.inject({ url: `/v1/keys/${id}/usage`, headers: adminAuth })).json().data
    for (let i = 0; i < 100 && usage.last_used_at === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      usage = (await app.inject({ url: `/v1/keys/${id}/usage`, headers: adminAuth })).json().data
    }
    t.type(usage.last_used_at, 'string', 'last_used_at recorded')
    t.match(usage.totals, { requests: 2, rate_limited: 1 })
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: adminAuth })).statusCode, 204)
    t.equal((await app.inject({ url: '/v1/keys', headers: auth })).statusCode, 401, 'revoked: refused at once')
    t.equal((await app.inject({ url: '/v1/keys', headers: { authorization: 'Bearer bs_nope' } })).statusCode, 401)
    t.strictSame(warnings, [])
  })

  t.test('a failed last-use write is a warning, never the request\'s error', async (t) => {
    const warnings: Array<{ msg?: string }> = []
    const failing: KeysRepository = { ...repo, touch: async () => { throw new Error('disk full') } }
    const app = await keysApp(t, failing, warnings)
    const { key } = await repo.create('touch fails', ['admin'], Date.now())
    const res = await app.inject({ url: '/v1/keys', headers: { authorization: `Bearer ${key}` } })
    t.equal(res.statusCode, 200)
    for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    t.match(warnings, [{ msg: /last use/ }])
  })
}
