import { openDatabase } from '../../db/client.js'
import { runMigrations } from '../../db/migrate.js'
import { fillBenchData, type BenchSize } from '../bench-data.js'

/** What the bench needs to know of the database to build its URLs and writes. */
export interface Corpus {
  /** Live posts, newest first (the order of the list and of the Zipf ranks). */
  posts: Array<{ id: number, slug: string, publishedAt: number }>
  /** Positions around item 5,000 of the default order (page 500 at 10 a page), for cursors. */
  deep: Array<{ id: number, published_at: number }>
  categories: Array<{ id: number, slug: string }>
  tags: Array<{ id: number, slug: string }>
  authors: Array<{ id: number, slug: string }>
}

export const defaultSize = (posts: number): BenchSize => ({ posts, categories: 50, tags: 500, authors: 20, comments: posts * 5, words: 800 })

/** Builds the corpus into an empty file (when `build` is given) and reads what the URLs need. */
export function openCorpus (dbPath: string, build?: BenchSize): Corpus {
  const db = openDatabase(dbPath)
  try {
    if (build !== undefined) {
      runMigrations(db)
      fillBenchData(db, build)
    }
    const c = db.$client
    const now = Date.now()
    const posts = c.prepare("SELECT id, slug, published_at AS publishedAt FROM posts WHERE status = 'published' AND published_at <= ? ORDER BY published_at DESC, id DESC")
      .all(now) as Corpus['posts']
    const deep = c.prepare("SELECT id, published_at FROM posts WHERE status = 'published' AND published_at <= ? ORDER BY published_at DESC, id DESC LIMIT 40 OFFSET ?")
      .all(now, Math.min(4990, Math.max(0, posts.length - 50))) as Corpus['deep']
    // Only terms with a live post: a filter by an empty category is a 404, as if it did not exist.
    const live = (table: string, link: string, column: string) => c.prepare(`SELECT t.id, t.slug FROM ${table} t WHERE EXISTS (SELECT 1 FROM ${link} l
      JOIN posts p ON p.id = l.post_id WHERE l.${column} = t.id AND p.status = 'published' AND p.published_at <= ?) ORDER BY t.id`).all(now) as Array<{ id: number, slug: string }>
    const authors = c.prepare(`SELECT a.id, a.slug FROM authors a WHERE EXISTS (SELECT 1 FROM posts p WHERE p.author_id = a.id
      AND p.status = 'published' AND p.published_at <= ?) ORDER BY a.id`).all(now) as Array<{ id: number, slug: string }>
    return { posts, deep, categories: live('categories', 'post_categories', 'category_id'), tags: live('tags', 'post_tags', 'tag_id'), authors }
  } finally {
    db.$client.close()
  }
}
