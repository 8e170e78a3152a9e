import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { adminAuth, buildTestApp, keyAuth, TEST_SITE_URL } from '../../helper.js'
import { makeComment, makePost, makeTag } from '../../helpers/factories.js'
import { hashKey } from '../../../src/lib/key-hash.js'
import { loadConfig, ConfigError } from '../../../src/config.js'
import { createPreviewsService, PREVIEW_TOKEN_PATTERN } from '../../../src/modules/previews/index.js'
import { eventually } from '../../helpers/wait.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

const TEMPLATE = 'https://www.example.com/preview?token={token}'

/** A draft through the write API, as an editor makes it. */
async function draft (app: App, over: Record<string, unknown> = {}) {
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', payload: { name: `Writer ${Math.random()}` }, headers: adminAuth })).json().data
  const res = await app.inject({ method: 'POST', url: '/v1/posts', payload: { title: 'Embargoed story', content_html: '<p>Not yet.</p>', status: 'draft', author_id: author.id, ...over }, headers: adminAuth })
  return res.json().data as { id: number, slug: string }
}

async function previewOf (app: App, ref: string | number, body: unknown = {}, headers: Record<string, string> = adminAuth) {
  const res = await app.inject({ method: 'POST', url: `/v1/posts/${ref}/previews`, payload: body as object, headers })
  return res
}

t.test('a key makes a link: 201 with the token, its expiry and the frontend URL; only a hash is stored', async (t) => {
  const app = await buildTestApp(t, { PREVIEW_URL_TEMPLATE: TEMPLATE })
  const post = await draft(app)
  const before = Date.now()
  const res = await previewOf(app, post.slug, { expires_in: 600 })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['cache-control'], 'private, no-store', 'the token is in the answer: nobody keeps it')
  const { token, expires_at: expiresAt, preview_url: url } = res.json().data
  t.match(token, PREVIEW_TOKEN_PATTERN)
  t.ok(Buffer.from(token.slice(3), 'base64url').length >= 16, 'at least 128 random bits (256)')
  t.equal(url, `https://www.example.com/preview?token=${token}`)
  t.equal(res.headers.location, `/v1/previews/${token}`)
  const expires = Date.parse(expiresAt)
  t.ok(expires >= before + 600_000 && expires <= Date.now() + 600_000, 'expires_in seconds from now')

  const rows = app.db.$client.prepare('SELECT * FROM post_previews').all() as Array<Record<string, unknown>>
  t.equal(rows.length, 1)
  t.equal(rows[0].post_id, post.id)
  t.equal(rows[0].token_hash, hashKey(token), 'the SHA-256 of the token')
  t.notMatch(JSON.stringify(rows), token.slice(3), 'the token itself is nowhere')

  const other = (await previewOf(app, post.id)).json().data
  t.not(other.token, token, 'every link is new')
  const hour = Date.parse(other.expires_at) - Date.now()
  t.ok(hour > 3_590_000 && hour <= 3_600_000, 'an hour unless asked')
  t.equal((await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/previews`, headers: adminAuth })).statusCode, 201, 'the body may be left out')
})

t.test('making and revoking links needs write:content or read:drafts', async (t) => {
  const app = await buildTestApp(t)
  const post = await draft(app)
  t.equal((await previewOf(app, post.id, {}, {})).statusCode, 401)
  const moderator = await previewOf(app, post.id, {}, keyAuth(app, 'moderate:comments'))
  t.equal(moderator.statusCode, 403)
  t.match(moderator.json().detail, /write:content or read:drafts/)
  t.equal((await previewOf(app, post.id, {}, keyAuth(app, 'write:content'))).statusCode, 201)
  t.equal((await previewOf(app, post.id, {}, keyAuth(app, 'read:drafts'))).statusCode, 201)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}/previews` })).statusCode, 401)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}/previews`, headers: keyAuth(app, 'moderate:comments') })).statusCode, 403)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}/previews`, headers: keyAuth(app, 'read:drafts') })).statusCode, 204)
})

t.test('bad requests to make a link are named 4xx, and store nothing', async (t) => {
  const app = await buildTestApp(t)
  const post = await draft(app)
  for (const [body, path] of [[{ expires_in: 59 }, 'expires_in'], [{ expires_in: 604_801 }, 'expires_in'], [{ expires_in: 'soon' }, 'expires_in'], [{ expires_in: 1.5 }, 'expires_in'], [{ ttl: 60 }, 'ttl']] as const) {
    const res = await previewOf(app, post.id, body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.match(res.json(), { code: 'VALIDATION_FAILED', errors: [{ path }] })
  }
  t.equal((await previewOf(app, post.id, { expires_in: 604_800 })).statusCode, 201, 'seven days is allowed')
  const text = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/previews`, payload: 'expires_in=60', headers: { ...adminAuth, 'content-type': 'text/plain' } })
  t.equal(text.statusCode, 415)
  const unknown = await previewOf(app, 'no-such-post')
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'NOT_FOUND')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/posts/no-such-post/previews', headers: adminAuth })).statusCode, 404)
  t.equal((app.db.$client.prepare('SELECT count(*) AS n FROM post_previews').get() as { n: number }).n, 1, 'only the good one')
})

t.test('the link reads the post as it is now, in the single-post shape, never cached', async (t) => {
  const app = await buildTestApp(t, { RESPONSE_CACHE: 'true' })
  const post = await draft(app)
  const { token } = (await previewOf(app, post.id)).json().data

  const first = await app.inject(`/v1/previews/${token}`)
  t.equal(first.statusCode, 200)
  t.equal(first.headers['cache-control'], 'private, no-store')
  t.equal(first.headers['x-robots-tag'], 'noindex')
  for (const name of ['surrogate-key', 'x-cache', 'etag']) t.equal(first.headers[name], undefined, `no ${name}: not stored, not for a CDN`)
  const single = (await app.inject({ url: `/v1/posts/${post.id}`, headers: keyAuth(app, 'read:drafts') })).json().data
  t.same(first.json().data, { ...single, preview: true }, 'GET /v1/posts/{ref} as a drafts reader sees it, plus preview: true')
  t.equal(first.json().data.status, 'draft')

  // Read it twice (a cache would have it now), then edit: the next read shows the edit.
  await app.inject(`/v1/previews/${token}`)
  const edit = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, payload: { title: 'Embargoed story, rewritten', status: 'scheduled', published_at: new Date(Date.now() + 86_400_000).toISOString() }, headers: adminAuth })
  t.equal(edit.statusCode, 200)
  const after = await app.inject(`/v1/previews/${token}`)
  t.equal(after.json().data.title, 'Embargoed story, rewritten', 'a later edit shows at once')
  t.equal(after.json().data.status, 'scheduled')
  t.equal(after.headers['x-cache'], undefined)
  t.equal((await app.inject(`/v1/posts/${post.id}`)).statusCode, 404, 'still not public')

  await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, payload: { status: 'published', published_at: new Date(Date.now() - 1000).toISOString() }, headers: adminAuth })
  const live = await app.inject(`/v1/previews/${token}`)
  t.equal(live.json().data.status, 'published', 'a published post previews too')
  t.equal(live.headers['cache-control'], 'private, no-store')
  t.equal(live.headers['surrogate-key'], undefined)
  t.equal((await app.inject(`/v1/posts/${post.id}`)).headers['surrogate-key'], `post-${post.id}`, 'while the public read is keyed as before')
})

t.test('related posts and comments of the previewed post', async (t) => {
  const app = await buildTestApp(t)
  const tag = makeTag(app.db)
  const live = [1, 2, 3].map((n) => makePost(app.db, { title: `Summit talks ${n}`, contentText: 'summit talks diplomacy', tagIds: [tag.id] }))
  makePost(app.db, { title: 'Summit draft elsewhere', contentText: 'summit talks diplomacy', status: 'draft', publishedAt: null, tagIds: [tag.id] })
  const post = await draft(app, { title: 'Summit talks: the draft', content_html: '<p>summit talks diplomacy</p>', tag_ids: [tag.id] })
  makeComment(app.db, { postId: post.id, authorName: 'Early reader' })
  makeComment(app.db, { postId: post.id, authorName: 'Waiting', status: 'pending' })
  const { token } = (await previewOf(app, post.id)).json().data

  const related = await app.inject(`/v1/previews/${token}/related?limit=5`)
  t.equal(related.statusCode, 200)
  t.equal(related.headers['cache-control'], 'private, no-store')
  t.equal(related.headers['x-robots-tag'], 'noindex')
  t.equal(related.headers['surrogate-key'], undefined)
  t.same(related.json().data.map((p: { id: number }) => p.id).sort(), live.map((p) => p.id).sort(), 'the live posts only, never a draft or itself')
  t.equal(related.json().meta.limit, 5)
  t.equal((await app.inject(`/v1/posts/${post.id}/related`)).statusCode, 404, 'the public route still refuses the draft')

  const comments = await app.inject(`/v1/previews/${token}/comments`)
  t.equal(comments.statusCode, 200)
  t.equal(comments.headers['cache-control'], 'private, no-store')
  t.equal(comments.headers['surrogate-key'], undefined)
  t.same(comments.json().data.map((c: { author_name: string }) => c.author_name), ['Early reader'], 'approved comments only')
  t.equal(comments.json().meta.total, 1)
  t.equal((await app.inject(`/v1/previews/${token}/comments?per_page=500`)).statusCode, 400)
  t.equal((await app.inject(`/v1/previews/${token}/related?limit=0`)).statusCode, 400)
})

t.test('unknown, expired, revoked, deleted-post and malformed tokens: the same 404', async (t) => {
  const app = await buildTestApp(t)
  const post = await draft(app)
  const other = await draft(app)
  const keep = (await previewOf(app, other.id)).json().data.token
  const revoked = (await previewOf(app, post.id)).json().data.token
  const revoked2 = (await previewOf(app, post.id)).json().data.token
  t.equal((await app.inject(`/v1/previews/${revoked}`)).statusCode, 200, 'works until revoked')
  const del = await app.inject({ method: 'DELETE', url: `/v1/posts/${post.slug}/previews`, headers: adminAuth })
  t.equal(del.statusCode, 204)
  t.equal((await app.inject(`/v1/previews/${keep}`)).statusCode, 200, "another post's links still work")

  const expired = 'pv_' + 'E'.repeat(43)
  await app.core.writeAsync(async (tx) => await app.core.repos.previews.create(tx, other.id, hashKey(expired), Date.now() - 1, Date.now()))
  const gone = await draft(app)
  const deleted = (await previewOf(app, gone.id)).json().data.token
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/posts/${gone.id}`, headers: adminAuth })).statusCode, 204)
  t.equal((app.db.$client.prepare('SELECT count(*) AS n FROM post_previews WHERE post_id = ?').get(gone.id) as { n: number }).n, 0, 'deleting the post deleted its links')

  const tokens: Record<string, string> = {
    unknown: 'pv_' + 'A'.repeat(43),
    expired,
    revoked,
    'another revoked': revoked2,
    'of a deleted post': deleted,
    'too short': keep.slice(0, -1),
    'too long': keep + 'A',
    'no prefix': keep.slice(3),
    'an API key': adminAuth.authorization.slice(7),
    'a post id': String(other.id),
    'with a NUL': encodeURIComponent(keep + '\0'),
    'of spaces': '%20%20%20'
  }
  const answers = new Set<string>()
  for (const [what, token] of Object.entries(tokens)) {
    for (const suffix of ['', '/related', '/comments']) {
      const res = await app.inject(`/v1/previews/${token}${suffix}`)
      t.equal(res.statusCode, 404, `${what}${suffix}: 404`)
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
      t.equal(res.headers['cache-control'], 'private, no-store')
      t.equal(res.headers['x-robots-tag'], 'noindex')
      const { instance, request_id: requestId, ...problem } = res.json()
      t.ok(instance && requestId)
      answers.add(JSON.stringify(problem))
    }
  }
  t.same([...answers].map((a) => JSON.parse(a)), [{
    type: 'https://broadsheet.dev/problems/preview-not-found',
    title: 'Not Found',
    status: 404,
    detail: 'This preview link does not exist, has expired or was revoked',
    code: 'PREVIEW_NOT_FOUND'
  }], 'one answer for every kind of wrong token')
  // Longer than any path parameter (maxParamLength): refused before routing, as on every route.
  t.equal((await app.inject(`/v1/previews/pv_${'A'.repeat(600)}`)).statusCode, 414)
})

t.test('a link expires at expires_at', async (t) => {
  const app = await buildTestApp(t)
  const post = await draft(app)
  const service = app.core.previews
  const now = Date.now()
  const link = await service.create(String(post.id), 60, now)
  t.equal((await service.post(link.token, now + 59_999)).id, post.id)
  await t.rejects(service.post(link.token, now + 60_000), { code: 'PREVIEW_NOT_FOUND' })
  await t.rejects(service.comments(link.token, now + 60_000), { code: 'PREVIEW_NOT_FOUND' })
  await t.rejects(service.related(link.token, 3, now + 60_000), { code: 'PREVIEW_NOT_FOUND' })
})

t.test('every wrong token costs the same work: one hash, one indexed lookup, nothing else', async (t) => {
  const app = await buildTestApp(t)
  const post = await draft(app)
  const real = app.core.repos.previews
  const lookups: string[] = []
  let postReads = 0
  const service = createPreviewsService({
    repo: { ...real, findLive: async (hash, now) => { lookups.push(hash); return await real.findLive(hash, now) } },
    write: app.core.writeAsync,
    postsRepo: { findByRef: (...args) => { postReads++; return app.core.repos.posts.findByRef(...args) } },
    posts: { get: (...args) => { postReads++; return app.core.services.posts.get(...args) } },
    related: app.core.services.related,
    comments: app.core.repos.comments,
    urlTemplate: TEMPLATE
  })
  const now = Date.now()
  const revoked = (await service.create(String(post.id), 3600, now)).token
  await service.revokeAll(String(post.id), now)
  const expired = (await service.create(String(post.id), 60, now - 120_000)).token
  // Its row is still there (it is dropped when a later link is made): the lookup passes over it.
  t.equal((await real.findLive(hashKey(expired), now - 61_000))?.postId, post.id)
  postReads = 0
  const wrong = ['pv_' + 'A'.repeat(43), revoked, expired, 'x', '', 'pv_' + 'A'.repeat(400), '../../etc/passwd']
  for (const token of wrong) {
    lookups.length = 0
    await t.rejects(service.post(token, now), { code: 'PREVIEW_NOT_FOUND' }, JSON.stringify(token.slice(0, 20)))
    t.same(lookups, [hashKey(token)], 'one lookup, by the SHA-256 of what was sent')
    t.match(lookups[0], /^[0-9a-f]{64}$/, 'a fixed-length key, whatever the token\'s length')
  }
  t.equal(postReads, 0, 'no post is read for a wrong token')
})

t.test('links are private: no invalidation, change log entry, webhook or CDN purge', async (t) => {
  const purges: string[] = []
  const receiver = http.createServer((req, res) => { purges.push(String(req.headers['surrogate-key'])); res.end('ok') })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  t.teardown(() => receiver.close())
  const app = await buildTestApp(t, { PURGE_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` })
  const post = await draft(app)
  // The draft's own writes are purged (its author, its key) by a request that may take a while
  // on a loaded machine: wait for it, and for the purges to go quiet, before watching.
  await eventually('the draft\'s purge', () => purges.some((keys) => keys.split(' ').includes(`post-${post.id}`)))
  for (let seen = -1; seen !== purges.length;) {
    seen = purges.length
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  purges.length = 0
  const invalidated: string[][] = []
  app.core.invalidations.onInvalidated((keys) => { invalidated.push([...keys]) })
  const changes = (await app.inject({ url: '/v1/changes' })).body
  const { token } = (await previewOf(app, post.id)).json().data
  await app.inject(`/v1/previews/${token}`)
  await app.inject({ method: 'DELETE', url: `/v1/posts/${post.id}/previews`, headers: adminAuth })
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(invalidated, [], 'cached public reads stay valid')
  t.equal((await app.inject({ url: '/v1/changes' })).body, changes, 'nothing in the change log')
  t.same(purges, [], 'nothing sent to the CDN')
})

t.test('PREVIEW_URL_TEMPLATE: SITE_URL/preview by default, checked at start', async (t) => {
  t.equal(loadConfig({ SITE_URL: TEST_SITE_URL }).PREVIEW_URL_TEMPLATE, `${TEST_SITE_URL}/preview?token={token}`)
  t.equal(loadConfig({ PREVIEW_URL_TEMPLATE: TEMPLATE }).PREVIEW_URL_TEMPLATE, TEMPLATE)
  t.equal(loadConfig({ PREVIEW_URL_TEMPLATE: 'https://app.example.com/drafts/{token}/view' }).PREVIEW_URL_TEMPLATE, 'https://app.example.com/drafts/{token}/view')
  for (const bad of ['https://www.example.com/preview', 'www.example.com/preview?token={token}', 'javascript:alert({token})']) {
    t.throws(() => loadConfig({ PREVIEW_URL_TEMPLATE: bad }), ConfigError, bad)
  }
  const app = await buildTestApp(t)
  const post = await draft(app)
  t.match((await previewOf(app, post.id)).json().data.preview_url, new RegExp(`^${TEST_SITE_URL}/preview\\?token=pv_`))
})
