import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseFeed } from '@rowanmanning/feed-parser'
import { SaxesParser } from 'saxes'
import { adminAuth, buildTestApp } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'

// Feed and item ids survive a change of SITE_URL (a new domain): they come from an id base
// minted once per database, and a WordPress import keeps its guid (issue 21 item 12). The
// self link of each feed is the URL GET /v1/site lists.

type App = Awaited<ReturnType<typeof buildTestApp>>
const GUID = 'https://old-wordpress.example.net/?p=4711'

/** The atom:id / rss guid / JSON Feed id of the feed and of each item, in order, with the item links. */
async function ids (app: App) {
  const rss = parseFeed((await app.inject('/feeds/rss.xml')).body)
  const atomBody = (await app.inject('/feeds/atom.xml')).body
  const atom = parseFeed(atomBody)
  const json = (await app.inject('/feeds/feed.json')).json()
  return {
    feed: feedIdOf(atomBody),
    rss: rss.items.map((i) => i.id),
    atom: atom.items.map((i) => i.id),
    json: json.items.map((i: { id: string }) => i.id),
    links: json.items.map((i: { url: string }) => i.url)
  }
}

/** The <id> child of the Atom <feed> itself. */
function feedIdOf (xml: string): string {
  const parser = new SaxesParser({ xmlns: true })
  const path: string[] = []
  let id = ''
  parser.on('opentag', (tag) => { path.push(tag.local ?? '') })
  parser.on('closetag', () => { path.pop() })
  parser.on('text', (text) => { if (path.join('/') === 'feed/id') id += text })
  parser.write(xml).close()
  return id
}

t.test('two apps with different SITE_URL over one database file give the same ids', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-feed-ids-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'site.db')

  const before = await buildTestApp(t, { DATABASE_PATH: file, SITE_URL: 'https://old.example.com' })
  const author = (await before.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ann' } })).json().data
  const created = (await before.inject({
    method: 'POST',
    url: '/v1/posts',
    headers: adminAuth,
    payload: { title: 'Made here', author_id: author.id, status: 'published', published_at: new Date(Date.now() - 60_000).toISOString(), content_html: '<p>Body</p>' }
  })).json().data
  makePost(before.core.db, { authorId: author.id, slug: 'imported', importKey: `wxr:${GUID}`, publishedAt: Date.now() - 3_600_000 })
  const twice = makePost(before.core.db, { authorId: author.id, slug: 'imported-twice', importKey: 'wxr:https://old-wordpress.example.net#12', publishedAt: Date.now() - 7_200_000 })
  before.core.write(() => undefined)
  const first = await ids(before)
  t.equal(first.feed, 'tag:old.example.com,2024:feed', 'minted from the first SITE_URL')
  t.same(first.rss, [`tag:old.example.com,2024:post:${created.id}`, GUID, `tag:old.example.com,2024:post:${twice.id}`],
    'own posts by id; a WordPress import keeps its guid; one whose guid was not unique gets an id of ours')
  t.same(first.atom, first.rss, 'Atom ids are the same')
  t.same(first.json, first.rss, 'JSON Feed ids are the same')
  await before.close()

  const after = await buildTestApp(t, { DATABASE_PATH: file, SITE_URL: 'https://www.new-domain.org' })
  const moved = await ids(after)
  t.ok(moved.links.every((l: string) => l.startsWith('https://www.new-domain.org/')), 'links follow the new SITE_URL')
  t.equal(moved.feed, first.feed, 'the feed id did not change')
  t.same(moved.rss, first.rss, 'RSS guids did not change')
  t.same(moved.atom, first.atom, 'Atom ids did not change')
  t.same(moved.json, first.json, 'JSON Feed ids did not change')
  // Now from the read model's stored items of the new SITE_URL, as well as from the rows.
  after.core.workers.readModel.rebuild()
  t.ok((await after.core.services.feeds.load({}, Date.now(), 'atom')).stored.size > 0, 'items come from the read model')
  const rebuilt = await ids(after)
  t.same([rebuilt.feed, rebuilt.rss, rebuilt.atom, rebuilt.json], [first.feed, first.rss, first.atom, first.json], 'stored items carry the same ids')
})

t.test('each feed\'s self link is exactly the URL GET /v1/site lists for it', async (t) => {
  const app = await buildTestApp(t, { SITE_URL: 'https://www.example.com', PUBLIC_API_URL: 'https://API.Example.com:443/cms/' })
  const site = (await app.inject('/v1/site')).json().data
  t.same(site.feeds, { rss: 'https://API.Example.com:443/cms/feeds/rss.xml', atom: 'https://API.Example.com:443/cms/feeds/atom.xml', json: 'https://API.Example.com:443/cms/feeds/feed.json' })
  t.equal(parseFeed((await app.inject('/feeds/rss.xml')).body).self, site.feeds.rss)
  t.equal(parseFeed((await app.inject('/feeds/atom.xml')).body).self, site.feeds.atom)
  t.equal((await app.inject('/feeds/feed.json')).json().feed_url, site.feeds.json)
  t.equal(parseFeed((await app.inject('/feeds/atom.xml?limit=5&utm_source=x')).body).self, `${site.feeds.atom}?limit=5`, 'a filtered feed: the listed URL plus its filters')
})
