import type { Db } from '../db/client.js'
import { buildTermVector } from '../lib/related.js'
import { seededRandom } from '../lib/seeded-random.js'

// A deterministic benchmark corpus written straight into SQLite in a few big transactions:
// the fast bulk path (no HTTP, no per-row change log), far faster than the write API.

export interface BenchSize { posts: number, categories: number, tags: number, authors: number, comments: number, words: number }

const TOPICS = [
  'election vote ballot campaign senate parliament minister coalition poll candidate debate policy reform',
  'football match goal league striker coach season transfer stadium championship referee penalty',
  'climate carbon emissions warming glacier drought renewable solar wind flood temperature ocean',
  'software model algorithm data chip cloud startup privacy network robot machine learning',
  'market stocks inflation bank rates investor bond currency trade earnings recession growth',
  'space orbit rocket mission planet telescope astronaut lunar satellite galaxy launch probe',
  'health hospital vaccine doctor patient disease nurse treatment clinic virus therapy study',
  'film music theatre festival album director novel gallery exhibition artist concert premiere',
  'diplomacy summit treaty sanctions embassy border talks ambassador alliance troops ceasefire negotiation',
  'housing rent mortgage city council transport rail commuters planning tenants developers streets'
].map((t) => t.split(' '))
const COMMON = 'the of and to in a is that for on with as was at by from said it were are has have after over about new more year last first also people two time government week report officials told according'.split(' ')

/** Fills an empty, migrated database; returns the slugs of the posts. */
export function fillBenchData (db: Db, size: BenchSize, now = Date.UTC(2026, 10, 1)): string[] {
  const c = db.$client
  const rand = seededRandom(42)
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]
  const slugs: string[] = []
  const hasRelated = (c.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'post_terms'").pluck().get() as number) > 0
  c.transaction(() => {
    const author = c.prepare('INSERT INTO authors (slug, name, email, bio, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
    for (let i = 1; i <= size.authors; i++) author.run(`author-${i}`, `Author ${i}`, `author${i}@example.com`, 'Reporter.', now, now)
    const category = c.prepare('INSERT INTO categories (slug, name, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
    const tops = Math.max(1, Math.round(size.categories / 5))
    for (let i = 1; i <= size.categories; i++) category.run(`category-${i}`, `Category ${i}`, i <= tops ? null : ((i - 1) % tops) + 1, now, now)
    const tag = c.prepare('INSERT INTO tags (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)')
    for (let i = 1; i <= size.tags; i++) tag.run(`tag-${i}`, `Tag ${i}`, now, now)
  })()
  const post = c.prepare(`INSERT INTO posts (id, slug, title, excerpt, content_html, content_text, status, published_at, created_at, updated_at,
    author_id, featured_image_url, featured_image_alt, comment_status, word_count, reading_time_minutes)
    VALUES (?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, ?, 'open', ?, ?)`)
  const firstId = c.prepare('SELECT coalesce(max(id), 0) + 1 FROM posts').pluck().get() as number
  const pc = c.prepare('INSERT OR IGNORE INTO post_categories (post_id, category_id, position) VALUES (?, ?, ?)')
  const pt = c.prepare('INSERT OR IGNORE INTO post_tags (post_id, tag_id, position) VALUES (?, ?, ?)')
  const term = hasRelated ? c.prepare('INSERT INTO post_terms (post_id, term, weight) VALUES (?, ?, ?)') : null
  const batch = 1000
  for (let start = 0; start < size.posts; start += batch) {
    c.transaction(() => {
      // Links before their post (checked at commit), so the search triggers index each post once.
      c.pragma('defer_foreign_keys = ON')
      for (let i = start; i < Math.min(size.posts, start + batch); i++) {
        const topic = i % TOPICS.length
        const words = TOPICS[topic]
        const title = `${pick(words)} ${pick(words)} ${pick(COMMON)} ${pick(words)} report ${i}`
        const paragraphs: string[] = []
        const texts: string[] = []
        let count = 0
        while (count < size.words) {
          const sentence: string[] = []
          for (let w = 0; w < 16; w++) sentence.push(rand() < 0.35 ? pick(words) : pick(COMMON))
          const p = sentence.join(' ')
          texts.push(p)
          paragraphs.push(count % 200 < 16 && count > 0 ? `<h2>${pick(words)} ${pick(words)}</h2><p>${p}.</p>` : `<p>${p}.</p>`)
          count += 16
        }
        const text = texts.join('. ')
        const published = now - (size.posts - i) * 3_600_000
        const slug = `post-${i + 1}-${words[0]}`
        slugs.push(slug)
        const id = firstId + i
        const cat = 1 + ((topic * 5 + (i % 5)) % size.categories)
        pc.run(id, cat, 0)
        pc.run(id, 1 + (topic % Math.max(1, Math.round(size.categories / 5))), 1)
        for (let k = 0; k < 3; k++) pt.run(id, 1 + ((topic * 50 + Math.floor(rand() * 50)) % size.tags), k)
        post.run(id, slug, title, text.slice(0, 200), paragraphs.join(''), text, published, published, published,
          1 + (i % size.authors), `https://images.example.com/${slug}.jpg`, title, count, Math.ceil(count / 230))
        if (term) {
          const v = buildTermVector(title, text)
          v.terms.forEach((t, k) => term.run(id, t, v.weights[k]))
        }
      }
    })()
  }
  const comment = c.prepare(`INSERT INTO comments (post_id, parent_id, path, depth, author_name, author_email, content, content_html,
    content_hash, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'Reader', 'reader@example.com', ?, ?, ?, 'approved', ?, ?)`)
  c.transaction(() => {
    let lastOnPost = new Map<number, { id: number, path: string, depth: number }>()
    for (let i = 0; i < size.comments; i++) {
      const postId = 1 + Math.floor(rand() * size.posts)
      const parent = rand() < 0.4 ? lastOnPost.get(postId) : undefined
      const text = `Comment ${i} about ${pick(COMMON)} ${pick(COMMON)}`
      const id = comment.run(postId, parent?.id ?? null, '', parent ? parent.depth + 1 : 0, text, `<p>${text}</p>`, String(i), now, now).lastInsertRowid as number
      const path = parent ? `${parent.path}/${String(id).padStart(12, '0')}` : String(id).padStart(12, '0')
      c.prepare('UPDATE comments SET path = ? WHERE id = ?').run(path, id)
      lastOnPost.set(postId, { id, path, depth: parent ? parent.depth + 1 : 0 })
    }
    lastOnPost = new Map()
    c.prepare("UPDATE posts SET comment_count = (SELECT count(*) FROM comments WHERE comments.post_id = posts.id AND status = 'approved')").run()
  })()
  c.pragma('wal_checkpoint(TRUNCATE)')
  c.exec('ANALYZE')
  return slugs
}
