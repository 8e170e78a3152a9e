import t from 'tap'
import type { Test } from 'tap'
import { adminAuth, buildTestApp } from '../../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>
type Json = Record<string, any>

// Categories, tags and authors are public once they have a live post (for a category, in it
// or a sub-category). Before that — created for an embargoed story, used only by drafts,
// scheduled or archived posts — the public cannot see or detect them anywhere.

async function call (app: App, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json): Promise<Json> {
  const res = await app.inject({ method, url, payload, headers: adminAuth })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.statusCode === 204 ? {} : res.json().data
}

const key = (app: App, ...scopes: Array<'read:drafts' | 'write:content' | 'moderate:comments'>) => ({ authorization: `Bearer ${app.core.repos.keys.createSync('k', scopes).key}` })

/** Everything a public reader (or the given key) could learn about a slug, as one text. */
async function publicText (app: App, headers: Record<string, string> = {}): Promise<string> {
  const urls = ['/v1/tags?per_page=100', '/v1/categories?per_page=100', '/v1/authors?per_page=100', '/v1/changes?limit=1000', '/v1/posts?per_page=100', '/feeds/feed.json']
  const bodies = await Promise.all(urls.map(async (url) => (await app.inject({ url, headers })).body))
  return bodies.join('\n')
}

async function embargo (t: Test) {
  const app = await buildTestApp(t)
  await app.core.workers.webhooks.stop()
  const desk = await call(app, 'POST', '/v1/authors', { name: 'Business Desk' })
  const reporter = await call(app, 'POST', '/v1/authors', { name: 'Secret Reporter' })
  const business = await call(app, 'POST', '/v1/categories', { name: 'Business' })
  const deals = await call(app, 'POST', '/v1/categories', { name: 'Mergers Desk', parent_id: business.id })
  const merger = await call(app, 'POST', '/v1/tags', { name: 'Acme Globex Merger' })
  const markets = await call(app, 'POST', '/v1/tags', { name: 'Markets' })
  await call(app, 'POST', '/v1/posts', { title: 'Markets open flat', author_id: desk.id, status: 'published', category_ids: [business.id], tag_ids: [markets.id] })
  const story = await call(app, 'POST', '/v1/posts', { title: 'Embargoed story', author_id: reporter.id, category_ids: [deals.id], tag_ids: [merger.id, markets.id] })
  return { app, desk, reporter, business, deals, merger, markets, story }
}

t.test('a term used only by a draft is invisible to the public everywhere', async (t) => {
  const { app, merger, deals, reporter } = await embargo(t)
  for (const [kind, term] of [['tags', merger], ['categories', deals], ['authors', reporter]] as const) {
    const unknown = await app.inject(`/v1/${kind}/no-such-${kind}`)
    for (const ref of [term.slug, String(term.id)]) {
      const res = await app.inject(`/v1/${kind}/${ref}`)
      t.equal(res.statusCode, 404, `${kind}/${ref}`)
      t.same({ ...res.json(), detail: undefined, instance: undefined, request_id: undefined }, { ...unknown.json(), detail: undefined, instance: undefined, request_id: undefined }, 'the same 404 as a term that does not exist')
    }
  }
  for (const url of ['/v1/posts?tag=acme-globex-merger', '/v1/posts?category=mergers-desk', '/v1/posts?author=secret-reporter', '/feeds/rss.xml?tag=acme-globex-merger', '/v1/categories?parent=mergers-desk']) {
    t.equal((await app.inject(url)).statusCode, 404, `${url}: as unknown as a typo`)
  }
  const text = await publicText(app)
  t.notMatch(text, /acme|globex|merger|secret/i, 'not in any list, feed or the change log')
  t.match(text, /markets/, 'terms with a live post are public (also when a draft uses them too)')
  t.match(text, /business/, 'and a category with a live post')
  const moderator = await publicText(app, key(app, 'moderate:comments'))
  t.notMatch(moderator, /acme|globex|merger|secret/i, 'a moderator key sees what the public sees')

  for (const scopes of [['read:drafts'], ['write:content']] as const) {
    const headers = key(app, ...scopes)
    const tags = (await app.inject({ url: '/v1/tags', headers })).json()
    t.same(tags.data.map((x: Json) => [x.slug, x.post_count]), [['acme-globex-merger', 0], ['markets', 1]], `${scopes[0]} sees every tag, with live counts`)
    t.equal((await app.inject({ url: '/v1/categories/mergers-desk', headers })).statusCode, 200)
    t.equal((await app.inject({ url: '/v1/authors/secret-reporter', headers })).statusCode, 200)
    t.equal((await app.inject({ url: '/v1/posts?tag=acme-globex-merger&status=any', headers: key(app, 'read:drafts') })).json().meta.total, 1)
  }
})

t.test('terms appear with their first live post and go with their last, in reads and in the change log', async (t) => {
  const { app, merger, deals, business, reporter, story } = await embargo(t)
  const before = (await app.inject('/v1/tags')).json()
  t.equal(before.meta.total, 1)
  await call(app, 'PATCH', `/v1/posts/${story.id}`, { status: 'published' })
  const tags = (await app.inject('/v1/tags')).json()
  t.same(tags.data.map((x: Json) => [x.slug, x.post_count]), [['acme-globex-merger', 1], ['markets', 2]], 'public at once, the cached list refreshed')
  t.equal((await app.inject('/v1/categories/mergers-desk')).json().data.post_count, 1)
  t.equal((await app.inject('/v1/authors/secret-reporter')).statusCode, 200)
  t.equal((await app.inject('/v1/posts?tag=acme-globex-merger')).json().meta.total, 1)
  const log = (await app.inject('/v1/changes?limit=1000')).json().data as Json[]
  const entries = (resource: string, id: number) => log.filter((e) => e.resource === resource && e.id === id).map((e) => e.action)
  t.same(entries('tag', merger.id), ['upsert'], 'the tag is announced when it becomes public')
  t.same(entries('category', deals.id), ['upsert'])
  t.same(entries('author', reporter.id), ['upsert'])
  t.same(entries('category', business.id), ['upsert'], 'the parent was public already: logged once, when it was')

  await call(app, 'PATCH', `/v1/posts/${story.id}`, { status: 'archived' })
  t.equal((await app.inject('/v1/tags/acme-globex-merger')).statusCode, 404, 'hidden again with its last live post')
  t.equal((await app.inject('/v1/categories/business')).statusCode, 200, 'a category with another live post stays')
  // Upserts of a term that is not public are left out of the log as it reads now; a mirror
  // that fetched the tag meanwhile is told to drop it.
  const after = (await app.inject('/v1/changes?limit=1000')).json().data as Json[]
  t.same(after.filter((e) => e.resource === 'tag' && e.id === merger.id).map((e) => e.action), ['delete'], 'a mirror is told to drop it')
  t.same(after.filter((e) => e.resource === 'author' && e.id === reporter.id).map((e) => e.action), ['delete'])
})

t.test('a scheduled post makes its terms public at its time, with no write; rescheduling keeps them hidden', async (t) => {
  const { app, merger, story } = await embargo(t)
  // Generous: the two PATCHes and the reads below must land before the go-live on a loaded machine.
  const goLive = Date.now() + 1500
  await call(app, 'PATCH', `/v1/posts/${story.id}`, { status: 'scheduled', published_at: new Date(goLive).toISOString() })
  await call(app, 'PATCH', `/v1/posts/${story.id}`, { title: 'Embargoed story, edited' })
  t.equal((await app.inject('/v1/tags/acme-globex-merger')).statusCode, 404, 'not before its time')
  t.notMatch(await publicText(app), /acme|globex|merger|secret/i)
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, goLive - Date.now()) + 50))
  t.equal((await app.inject('/v1/tags/acme-globex-merger')).statusCode, 200, 'public at go-live')
  const log = (await app.inject('/v1/changes?limit=1000')).json().data as Json[]
  t.same(log.filter((e) => e.resource === 'tag' && e.id === merger.id).map((e) => [e.action, Date.parse(e.changed_at)]), [['upsert', goLive]], 'announced once, dated at the go-live')

  // The embargo is extended before the time comes: the announcement made for the old time
  // must not name the tag when that time passes.
  const second = await embargo(t)
  const soon = Date.now() + 1500
  await call(second.app, 'PATCH', `/v1/posts/${second.story.id}`, { status: 'scheduled', published_at: new Date(soon).toISOString() })
  await call(second.app, 'PATCH', `/v1/posts/${second.story.id}`, { status: 'scheduled', published_at: '2999-01-01T06:00:00Z' })
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, soon - Date.now()) + 50))
  t.notMatch(await publicText(second.app), /acme|globex|merger|secret/i, 'still invisible after the old time passed')
})

t.test('moving or deleting categories shows and hides the ones above', async (t) => {
  const app = await buildTestApp(t)
  await app.core.workers.webhooks.stop()
  const author = await call(app, 'POST', '/v1/authors', { name: 'Ann' })
  const world = await call(app, 'POST', '/v1/categories', { name: 'World' })
  const sport = await call(app, 'POST', '/v1/categories', { name: 'Sport' })
  const tennis = await call(app, 'POST', '/v1/categories', { name: 'Tennis', parent_id: world.id })
  await call(app, 'POST', '/v1/posts', { title: 'Final tonight', author_id: author.id, status: 'published', category_ids: [tennis.id] })
  const slugs = async () => ((await app.inject('/v1/categories')).json().data as Json[]).map((c) => c.slug)
  t.same(await slugs(), ['tennis', 'world'], 'a parent is public through its sub-category')
  await call(app, 'PATCH', `/v1/categories/${tennis.id}`, { parent_id: sport.id })
  t.same(await slugs(), ['sport', 'tennis'], 'moved: the new parent shows, the old one hides')
  const log = (await app.inject('/v1/changes?limit=1000')).json().data as Json[]
  const of = (id: number) => log.filter((e) => e.resource === 'category' && e.id === id).map((e) => e.action)
  t.same(of(world.id), ['delete'], 'hidden now: only the delete shows')
  t.same(of(sport.id), ['upsert'])
  await call(app, 'DELETE', `/v1/categories/${tennis.id}?reassign=${world.id}`)
  t.same(await slugs(), ['world'], 'deleted with its post moved: the posts\' new category shows, the old parent hides')
  const final = (await app.inject('/v1/changes?limit=1000')).json().data as Json[]
  t.same(final.filter((e) => e.resource === 'category' && e.id === sport.id).map((e) => e.action), ['delete'])
  t.same(final.filter((e) => e.resource === 'category' && e.id === world.id).map((e) => e.action), ['upsert', 'delete', 'upsert'], 'public again')
  t.same(final.filter((e) => e.resource === 'category' && e.id === tennis.id).map((e) => e.action), ['delete'])

  // A hidden tag deleted leaves no trace; a public one is a delete.
  const hidden = await call(app, 'POST', '/v1/tags', { name: 'Never Public' })
  await call(app, 'DELETE', `/v1/tags/${hidden.id}`)
  t.notMatch((await app.inject('/v1/changes?limit=1000')).body, /never-public/)
})

t.test('the change log skips entries of terms that are not public, and pages on correctly', async (t) => {
  const app = await buildTestApp(t)
  await app.core.workers.webhooks.stop()
  const author = await call(app, 'POST', '/v1/authors', { name: 'Ann' })
  const open = await call(app, 'POST', '/v1/tags', { name: 'Open' })
  // Entries made before this rule (or for a go-live since called off) name hidden tags.
  const secrets: Json[] = []
  for (let i = 0; i < 5; i++) secrets.push(await call(app, 'POST', '/v1/tags', { name: `Secret ${i}` }))
  app.core.write((_emit, now) => { for (const s of secrets) app.core.repos.changes.record('tag', s.id, s.slug, 'upsert', now) })
  await call(app, 'POST', '/v1/posts', { title: 'One', author_id: author.id, status: 'published', tag_ids: [open.id] })
  app.core.write((_emit, now) => { for (const s of secrets) app.core.repos.changes.record('tag', s.id, s.slug, 'upsert', now) })
  const all = (await app.inject('/v1/changes?limit=1000')).json()
  t.notMatch(JSON.stringify(all), /secret/)
  t.same(all.data.map((e: Json) => e.resource), ['post', 'tag', 'author'])
  const seen: Json[] = []
  let since = ''
  for (let calls = 0; calls < 20; calls++) {
    const page = (await app.inject(`/v1/changes?limit=1${since}`)).json()
    t.ok(page.data.length <= 1)
    seen.push(...page.data)
    since = `&since=${page.meta.next_cursor}`
    if (!page.meta.has_more) break
  }
  t.same(seen, all.data, 'one entry at a time gives the same entries, none twice, none lost')
  const idle = (await app.inject(`/v1/changes?limit=1${since}`)).json()
  t.same(idle.data, [])
  t.equal(idle.meta.has_more, false)
})
