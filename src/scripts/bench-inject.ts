import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'
import { encodeCursor } from '../lib/cursor.js'
import { fillBenchData } from './bench-data.js'

// The query path of the hottest endpoints without HTTP or the response cache: app.inject on a
// 10,000-post corpus (bench-data.ts), RESPONSE_CACHE=false, the median of many requests per
// endpoint. Endpoints take turns request by request, so a neighbour's load on a shared machine
// falls on all of them alike. For before/after comparisons of the data layer, not for targets
// (npm run bench measures those over a real socket).
//
//   tsx src/scripts/bench-inject.ts --db /tmp/bench10k.db [--rounds 400]

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: '/tmp/broadsheet-bench-inject.db' },
    posts: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '400' },
    only: { type: 'string' }
  }
})

async function main (): Promise<void> {
  const path = args.db as string
  if (!existsSync(path)) {
    const db = openDatabase(path)
    runMigrations(db)
    const posts = Number(args.posts)
    fillBenchData(db, { posts, categories: 50, tags: 500, authors: 20, comments: posts * 5, words: 800 })
    db.$client.close()
  }
  const probe = openDatabase(path)
  const slugs = probe.$client.prepare('SELECT slug FROM posts ORDER BY id').pluck().all() as string[]
  const deep = probe.$client.prepare("SELECT id, published_at FROM posts WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT 40 OFFSET ?")
    .all(Math.min(4990, Math.max(0, slugs.length - 50))) as Array<{ id: number, published_at: number }>
  // Only categories and tags with live posts are public (the others are a 404).
  const categories = probe.$client.prepare('SELECT DISTINCT c.slug FROM categories c JOIN post_categories l ON l.category_id = c.id ORDER BY c.id').pluck().all() as string[]
  const tags = probe.$client.prepare('SELECT DISTINCT t.slug FROM tags t JOIN post_tags l ON l.tag_id = t.id ORDER BY t.id LIMIT 100').pluck().all() as string[]
  probe.$client.close()

  const app = await buildApp(loadConfig({ DATABASE_PATH: path, SITE_URL: 'https://news.example.com', LOG_LEVEL: 'silent', RESPONSE_CACHE: 'false', MAX_EVENT_LOOP_DELAY_MS: '0', QUERY_BUDGET_MS: '10000' }))
  await app.ready()
  const words = ['vote', 'goal', 'carbon', 'algorithm', 'inflation', 'rocket', 'vaccine', 'festival', 'treaty', 'rent']
  const some = (n: number) => slugs.filter((_, i) => i % Math.max(1, Math.floor(slugs.length / n)) === 0).slice(0, n)
  const endpoints: Array<{ name: string, paths: string[] }> = [
    { name: 'list page 1', paths: ['/v1/posts?per_page=10'] },
    { name: 'list page 50', paths: Array.from({ length: 20 }, (_, i) => `/v1/posts?page=${40 + i}&per_page=10`) },
    { name: 'deep cursor', paths: deep.map((d) => `/v1/posts?per_page=10&cursor=${encodeCursor({ sort: '-published_at', value: d.published_at, id: d.id })}`) },
    { name: 'title order', paths: ['/v1/posts?sort=title', '/v1/posts?sort=title&page=3'] },
    { name: 'category page', paths: categories.map((c) => `/v1/posts?category=${c}`) },
    { name: 'tag page', paths: tags.map((t) => `/v1/posts?tag=${t}`) },
    { name: 'single post', paths: some(200).map((s) => `/v1/posts/${s}`) },
    { name: 'related', paths: some(200).map((s) => `/v1/posts/${s}/related?limit=5`) },
    { name: 'search date', paths: words.map((w) => `/v1/posts?q=${w}`) },
    { name: 'search relevance', paths: words.map((w, i) => `/v1/posts?q=${w}%20${words[(i + 3) % words.length]}&sort=relevance`) },
    { name: 'rss feed', paths: ['/feeds/rss.xml', ...categories.map((c) => `/feeds/rss.xml?category=${c}`)] }
  ].filter((e) => args.only === undefined || args.only.split(',').some((o) => e.name.includes(o)))

  // Warm up every path once (and let the related backfill finish) before measuring.
  for (const e of endpoints) {
    for (const url of e.paths) {
      const res = await app.inject(url)
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 3000))
  for (const e of endpoints) for (const url of e.paths) await app.inject(url)

  const times = new Map(endpoints.map((e) => [e.name, [] as number[]]))
  const rounds = Number(args.rounds)
  for (let r = 0; r < rounds; r++) {
    for (const e of endpoints) {
      const url = e.paths[r % e.paths.length]
      const t0 = performance.now()
      await app.inject(url)
      times.get(e.name)?.push(performance.now() - t0)
    }
  }
  for (const e of endpoints) {
    const sorted = (times.get(e.name) as number[]).sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
    console.log(`${e.name.padEnd(18)} median ${(at(0.5) * 1000).toFixed(0).padStart(6)} µs   p90 ${(at(0.9) * 1000).toFixed(0).padStart(6)} µs`)
  }
  await app.close()
}

await main()
