import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '../helpers/server-process.js'

// The real server started as in production with no SITE_URL on a port other than 3000: it
// warns once at start, and every link it gives is on the address it listens on.
t.test('a production start without SITE_URL warns and links to where it listens', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-urls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer({ DATABASE_PATH: join(dir, 'urls.db'), NODE_ENV: 'production', SITE_URL: '', PUBLIC_API_URL: '' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const site = (await (await fetch(`${server.base}/v1/site`)).json() as { data: { url: string, feeds: Record<string, string> } }).data
  t.equal(site.url, server.base, 'the site url is the listening address, port included')
  t.equal(site.feeds.rss, `${server.base}/feeds/rss.xml`, 'and so are the feed links')
  const feed = await (await fetch(`${server.base}/feeds/feed.json`)).json() as { home_page_url: string, feed_url: string }
  t.equal(feed.home_page_url, server.base)
  t.equal(feed.feed_url, `${server.base}/feeds/feed.json`)
  const warnings = server.output().split('\n').filter((line) => line.includes('SITE_URL is not set'))
  t.equal(warnings.length, 1, 'one warning at start')
  t.match(JSON.parse(warnings[0]), { level: 40, site_url: server.base })
})
