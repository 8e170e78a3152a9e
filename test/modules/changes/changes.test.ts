import t from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'
import { makeComment } from '../../helpers/factories.js'
import { touchPosts } from '../../../src/modules/posts/posts-write-service.js'
import { encodeCursor } from '../../../src/lib/cursor.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Json = Record<string, any>

interface Entry { resource: string, id: number, slug: string | null, action: 'upsert' | 'delete', changed_at: string }

/**
 * A partner's mirror, built only from the public API as the README tells partners to: replay
 * /v1/changes, fetch each upsert (a 404 means it is gone by now: drop it), drop each delete.
 * Comments come with their post: every public comment change also upserts the post, whose
 * thread is fetched with it.
 */
class Mirror {
  cursor: string | undefined
  posts = new Map<number, { post: Json, comments: Json[] }>()
  terms: Record<'categories' | 'tags' | 'authors', Map<number, Json>> = { categories: new Map(), tags: new Map(), authors: new Map() }
  site: Json | null = null
  seen: Entry[] = []
  calls = 0

  constructor (private readonly app: App, private readonly limit: number) {}

  async follow (t: Parameters<typeof buildTestApp>[0]): Promise<void> {
    for (;;) {
      const url = `/v1/changes?limit=${this.limit}${this.cursor ? `&since=${this.cursor}` : ''}`
      const res = await this.app.inject(url)
      t.equal(res.statusCode, 200, url)
      this.calls++
      const body = res.json()
      t.ok(body.data.length <= this.limit, 'never more than limit entries')
      for (const entry of body.data as Entry[]) await this.apply(entry)
      this.cursor = body.meta.next_cursor
      if (!body.meta.has_more) return
    }
  }

  private async apply (entry: Entry): Promise<void> {
    this.seen.push(entry)
    if (entry.resource === 'post') {
      if (entry.action === 'delete') {
        this.posts.delete(entry.id)
        return
      }
      const res = await this.app.inject(`/v1/posts/${entry.id}`)
      if (res.statusCode === 404) {
        this.posts.delete(entry.id)
        return
      }
      const comments = (await this.app.inject(`/v1/posts/${entry.id}/comments?per_page=100`)).json().data
      this.posts.set(entry.id, { post: res.json().data, comments })
    } else if (entry.resource === 'comment') {
      if (entry.action === 'delete') {
        for (const p of this.posts.values()) p.comments = p.comments.filter((c) => c.id !== entry.id)
      }
    } else if (entry.resource === 'site') {
      this.site = (await this.app.inject('/v1/site')).json().data
    } else {
      const kind = `${entry.resource === 'category' ? 'categories' : entry.resource + 's'}` as 'categories' | 'tags' | 'authors'
      if (entry.action === 'delete') {
        this.terms[kind].delete(entry.id)
        return
      }
      const res = await this.app.inject(`/v1/${kind}/${entry.id}`)
      if (res.statusCode === 404) this.terms[kind].delete(entry.id)
      else this.terms[kind].set(entry.id, res.json().data)
    }
  }

  /** The mirror's content; post counts of terms are derived from the mirrored posts. */
  snapshot () {
    const posts = [...this.posts.values()].map((p) => p.post)
    const count = (pred: (p: Json) => boolean) => posts.filter(pred).length
    const derive = (kind: 'categories' | 'tags' | 'authors', id: number) => kind === 'authors'
      ? count((p) => p.author.id === id)
      : count((p) => p[kind].some((x: Json) => x.id === id))
    const terms = Object.fromEntries((['categories', 'tags', 'authors'] as const).map((kind) => [
      kind,
      [...this.terms[kind].values()].map((x): Json => ({ ...x, post_count: derive(kind, x.id) })).sort((a, b) => a.id - b.id)
    ]))
    return {
      posts: [...this.posts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p),
      ...terms,
      site: this.site
    }
  }
}

/** The public content as a reader sees it right now. */
async function publicContent (app: App) {
  const list = (await app.inject('/v1/posts?per_page=100&sort=published_at')).json()
  const posts = []
  for (const p of [...list.data].sort((a, b) => a.id - b.id)) {
    posts.push({
      post: (await app.inject(`/v1/posts/${p.id}`)).json().data,
      comments: (await app.inject(`/v1/posts/${p.id}/comments?per_page=100`)).json().data
    })
  }
  const all = async (kind: string) => ((await app.inject(`/v1/${kind}?per_page=100`)).json().data as Json[]).sort((a, b) => a.id - b.id)
  return { posts, categories: await all('categories'), tags: await all('tags'), authors: await all('authors'), site: (await app.inject('/v1/site')).json().data }
}

async function call (app: App, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json): Promise<Json> {
  const res = await app.inject({ method, url, payload, headers: adminAuth })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.statusCode === 204 ? {} : res.json().data
}

t.test('a mirror replaying the change log from the start ends with exactly the public content', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '100' })
  await app.core.workers.webhooks.stop()
  await call(app, 'PATCH', '/v1/site', { title: 'The Daily Mirror Test' })
  const maria = await call(app, 'POST', '/v1/authors', { name: 'Maria López' })
  const john = await call(app, 'POST', '/v1/authors', { name: 'John Smith' })
  const politics = await call(app, 'POST', '/v1/categories', { name: 'Politics' })
  const elections = await call(app, 'POST', '/v1/categories', { name: 'Elections', parent_id: politics.id })
  const sport = await call(app, 'POST', '/v1/categories', { name: 'Sport' })
  const ukraine = await call(app, 'POST', '/v1/tags', { name: 'Ukraine' })
  const nato = await call(app, 'POST', '/v1/tags', { name: 'NATO' })
  const unused = await call(app, 'POST', '/v1/tags', { name: 'Unused' })

  const post = (title: string, extra: Json = {}) => call(app, 'POST', '/v1/posts', { title, author_id: maria.id, content_html: `<p>${title} body</p>`, ...extra })
  const a = await post('Published story', { status: 'published', category_ids: [elections.id], tag_ids: [ukraine.id] })
  const b = await post('Only a draft')
  const c = await post('Edited then unpublished', { status: 'published', category_ids: [sport.id] })
  await call(app, 'PATCH', `/v1/posts/${c.id}`, { title: 'Edited once' })
  await call(app, 'PATCH', `/v1/posts/${c.id}`, { status: 'draft' })
  const d = await post('Archived later', { status: 'published', tag_ids: [nato.id] })
  await call(app, 'PATCH', `/v1/posts/${d.id}`, { status: 'archived' })
  const e = await post('Deleted later', { status: 'published', author_id: john.id })
  await call(app, 'DELETE', `/v1/posts/${e.id}`)
  // Far enough ahead that a slow machine writes everything below before it comes.
  const goLive = Date.now() + 5000
  const f = await post('Goes live by itself', { status: 'scheduled', published_at: new Date(goLive).toISOString(), category_ids: [sport.id] })
  const g = await post('Schedule called off', { status: 'scheduled', published_at: new Date(Date.now() + 60_000).toISOString() })
  await call(app, 'PATCH', `/v1/posts/${g.id}`, { status: 'draft' })
  const h = await post('Scheduled, then published early', { status: 'scheduled', published_at: new Date(Date.now() + 60_000).toISOString(), category_ids: [politics.id], author_id: john.id, tag_ids: [nato.id] })
  await call(app, 'PATCH', `/v1/posts/${h.id}`, { status: 'published', published_at: new Date(Date.now() - 1000).toISOString() })
  await call(app, 'PATCH', `/v1/categories/${politics.id}`, { name: 'World Politics', slug: 'world-politics' })
  await call(app, 'PATCH', `/v1/authors/${john.id}`, { name: 'John A. Smith' })
  await call(app, 'DELETE', `/v1/tags/${unused.id}`)

  // A comment through the API: pending (moderation is on), approved, then deleted.
  const reader = { author_name: 'Sam', author_email: 'sam@example.com' }
  const sub = await app.inject({ method: 'POST', url: `/v1/posts/${a.id}/comments`, payload: { ...reader, content: 'First!' } })
  t.equal(sub.statusCode, 201)
  await call(app, 'PATCH', `/v1/comments/${sub.json().data.id}`, { status: 'approved' })
  const kept = await app.inject({ method: 'POST', url: `/v1/posts/${a.id}/comments`, payload: { ...reader, content: 'This one stays.' } })
  await call(app, 'PATCH', `/v1/comments/${kept.json().data.id}`, { status: 'approved' })
  await call(app, 'DELETE', `/v1/comments/${sub.json().data.id}`)
  await app.inject({ method: 'POST', url: `/v1/posts/${a.id}/comments`, payload: { ...reader, content: 'Buy pills', website: 'http://spam.example' } })
  // Comments written straight to the database (as an importer would), announced with a change.
  const parent = makeComment(app.db, { postId: h.id, content: 'Imported', contentHtml: '<p>Imported</p>' })
  const reply = makeComment(app.db, { postId: h.id, parentId: parent.id, content: 'Imported reply', contentHtml: '<p>Imported reply</p>' })
  app.core.write((emit) => {
    for (const cm of [parent, reply]) emit({ kind: 'comment', id: cm.id, postId: h.id, before: null, after: 'approved' })
    touchPosts(app.db, emit, [h.id])
  })
  await call(app, 'DELETE', `/v1/comments/${parent.id}`)

  const mirror = new Mirror(app, 3)
  await mirror.follow(t)
  t.ok(mirror.calls > 5, `paged through the log (${mirror.calls} calls of 3)`)
  const before = await publicContent(app)
  t.same(before.posts.map((p) => p.post.id), [a.id, h.id], 'only what is live is public')
  t.same(before.posts[1].comments.map((cm: Json) => [cm.id, cm.deleted]), [[parent.id, true], [reply.id, false]], 'a tombstone keeps the reply in place')
  t.same(mirror.snapshot(), before, 'the mirror equals the public content')
  t.notOk(mirror.seen.some((x) => x.resource === 'post' && (x.id === b.id || x.id === g.id)), 'posts never public never appear')
  t.notOk(mirror.seen.some((x) => x.resource === 'post' && x.id === f.id), 'a scheduled post is not in the log before its time')
  const lastOf = (id: number) => mirror.seen.filter((x) => x.resource === 'post' && x.id === id).at(-1)?.action
  t.equal(lastOf(c.id), 'delete', 'unpublishing is a delete')
  t.equal(lastOf(d.id), 'delete', 'archiving is a delete')
  t.equal(lastOf(e.id), 'delete', 'deleting is a delete')
  t.notOk(mirror.seen.some((x) => x.resource === 'tag' && x.id === unused.id), 'a tag never public never appears, not even deleted')
  t.notOk(mirror.seen.some((x) => x.resource === 'category' && x.id === sport.id && x.action === 'upsert' && Date.parse(x.changed_at) > Date.now()), 'nothing from the future')
  const termLog = (resource: string, id: number) => mirror.seen.filter((x) => x.resource === resource && x.id === id).map((x) => x.action)
  t.same(termLog('tag', nato.id), ['upsert', 'delete', 'upsert'], 'a tag appears with its first live post, goes with its last, comes back')
  t.same(termLog('category', politics.id).slice(0, 1), ['upsert'], 'a parent category is public through its sub-category\'s post')
  const times = mirror.seen.map((x) => Date.parse(x.changed_at))
  t.same(times, [...times].sort((x, y) => x - y), 'entries come in time order')

  const idle = await app.inject(`/v1/changes?since=${mirror.cursor}`)
  t.same(idle.json(), { data: [], meta: { next_cursor: mirror.cursor, has_more: false } }, 'nothing new: the cursor stays')
  const again = await app.inject({ url: `/v1/changes?since=${mirror.cursor}`, headers: { 'if-none-match': idle.headers.etag as string } })
  t.equal(again.statusCode, 304)

  // The scheduled post goes live with no write at all; the mirror picks it up from its cursor.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, goLive - Date.now()) + 50))
  await mirror.follow(t)
  const live = mirror.seen.filter((x) => x.resource === 'post' && x.id === f.id)
  t.same(live.map((x) => [x.action, Date.parse(x.changed_at)]), [['upsert', goLive]], 'an upsert dated at its go-live time')
  t.same(mirror.snapshot(), await publicContent(app), 'still equal after the go-live')

  // Following the log later keeps it equal.
  await call(app, 'PATCH', `/v1/posts/${a.id}`, { title: 'Published story, corrected', tag_ids: [] })
  await call(app, 'PATCH', `/v1/posts/${c.id}`, { status: 'published' })
  await call(app, 'PATCH', `/v1/posts/${f.id}`, { status: 'archived' })
  await call(app, 'PATCH', '/v1/site', { description: 'Changed' })
  await mirror.follow(t)
  t.same(mirror.snapshot(), await publicContent(app), 'equal after following more writes')

  // A fresh mirror replaying everything from the start with the largest page agrees.
  const fresh = new Mirror(app, 1000)
  await fresh.follow(t)
  t.equal(fresh.calls, 1)
  t.same(fresh.snapshot(), mirror.snapshot())
})

t.test('bad cursors and limits are 400 problems', async (t) => {
  const app = await buildTestApp(t)
  for (const since of ['garbage', 'not a cursor!', '%00', encodeCursor({ sort: '-published_at', value: 5, id: 1 }), encodeCursor({ sort: 'changes', value: 'x', id: 1 }), Buffer.from('[1,2]').toString('base64url')]) {
    const res = await app.inject(`/v1/changes?since=${encodeURIComponent(since)}`)
    t.equal(res.statusCode, 400, `since=${since}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
  t.equal((await app.inject('/v1/changes?since=garbage')).json().code, 'INVALID_CURSOR')
  for (const limit of ['0', '1001', '-1', 'ten', '1.5']) {
    const res = await app.inject(`/v1/changes?limit=${limit}`)
    t.equal(res.statusCode, 400, `limit=${limit}`)
    t.equal(res.json().errors[0].path, 'limit')
  }
  t.equal((await app.inject('/v1/changes?cursor=x')).statusCode, 400, 'unknown parameter')
  t.equal((await app.inject('/v1/changes?limit=1000')).statusCode, 200)
  t.equal((await app.inject('/v1/changes?limit=1')).statusCode, 200)
})

t.test('limit bounds the page and has_more tells when to call again', async (t) => {
  const app = await buildTestApp(t)
  for (let i = 0; i < 5; i++) await call(app, 'PATCH', '/v1/site', { title: `Title ${i}` })
  const first = (await app.inject('/v1/changes?limit=2')).json()
  t.equal(first.data.length, 2)
  t.equal(first.meta.has_more, true)
  const all = (await app.inject('/v1/changes')).json()
  t.equal(all.data.length, 5, 'default limit is large enough here')
  t.equal(all.meta.has_more, false)
  t.same(first.data, all.data.slice(0, 2))
  const rest = (await app.inject(`/v1/changes?limit=2&since=${first.meta.next_cursor}`)).json()
  t.same(rest.data, all.data.slice(2, 4), 'continues exactly after the last entry')
  const last = (await app.inject(`/v1/changes?limit=2&since=${rest.meta.next_cursor}`)).json()
  t.same(last.data, all.data.slice(4))
  t.equal(last.meta.has_more, false)
  t.match(all.data[0], { resource: 'site', slug: null, action: 'upsert' })
})

t.test('entries of the same millisecond are paged in id order, none skipped or repeated', async (t) => {
  const app = await buildTestApp(t)
  const at = Date.now() - 60_000
  // Three times, several entries each: the page boundary falls inside and between ties.
  for (const ms of [at, at + 1, at + 2]) for (let i = 0; i < 4; i++) app.core.repos.changes.record('site', 1, null, 'upsert', ms)
  const all = (await app.inject('/v1/changes?limit=1000')).json().data as Entry[]
  t.equal(all.length, 12)
  for (const limit of [1, 3, 5]) {
    const seen: Entry[] = []
    let since = ''
    for (;;) {
      const page = (await app.inject(`/v1/changes?limit=${limit}${since}`)).json()
      seen.push(...page.data)
      since = `&since=${page.meta.next_cursor}`
      if (!page.meta.has_more) break
    }
    t.same(seen, all, `pages of ${limit}: every entry once, in order`)
  }
})
