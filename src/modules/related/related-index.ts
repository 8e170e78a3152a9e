import { createHash } from 'node:crypto'
import type { Db } from '../../db/client.js'
import type { ContentChange } from '../../db/change-bus.js'
import { buildTermVector } from '../../lib/related.js'

// Part of every fingerprint: raising it makes the next write of each post rebuild its vector
// even when its text is unchanged (after a change to the tokenizer, say).
const VECTOR_VERSION = 1

/**
 * Keeps the related-posts index (post_terms, post_vectors) in step with the posts: `listener`
 * runs on the change bus inside every post write; `indexMissing` and `adoptStored` catch up
 * posts that have no entry yet (rows from before the related migration, or written around the
 * write services).
 */
export function createRelatedIndexer (db: Db) {
  const c = db.$client
  const source = c.prepare('SELECT title, content_text, status, published_at FROM posts WHERE id = ?')
  const storedHash = c.prepare('SELECT hash FROM post_vectors WHERE post_id = ?').pluck()
  const dropTerms = c.prepare('DELETE FROM post_terms WHERE post_id = ?')
  const insertTerm = c.prepare('INSERT INTO post_terms (post_id, term, weight) VALUES (?, ?, ?)')
  const saveEntry = c.prepare(`INSERT INTO post_vectors (post_id, hash, status, published_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (post_id) DO UPDATE SET hash = excluded.hash, status = excluded.status, published_at = excluded.published_at`)
  // No ORDER BY: the ids then come from a narrow covering index instead of the wide rows. Each
  // post is looked up in post_vectors by key (NOT IN would first read every entry into a set).
  const missing = c.prepare('SELECT p.id FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_vectors v WHERE v.post_id = p.id) LIMIT ?').pluck()
  // Vectors written by a bulk loader (src/scripts/bench-data.ts) come without an entry; their
  // empty fingerprint makes the next write of such a post rebuild its vector.
  // Probes per post rather than `IN (SELECT post_id FROM post_terms)`, which read every stored
  // term of every post (100 ms at 10,000 posts) on the first related request of each process.
  const adopt = c.prepare(`INSERT INTO post_vectors (post_id, hash, status, published_at)
    SELECT p.id, '', p.status, p.published_at FROM posts p
    WHERE NOT EXISTS (SELECT 1 FROM post_vectors v WHERE v.post_id = p.id) AND EXISTS (SELECT 1 FROM post_terms t WHERE t.post_id = p.id)`)

  /** Brings one post's entry up to date, rebuilding its vector only when its title or text changed; call inside a transaction. */
  function indexPost (id: number): void {
    const row = source.get(id) as { title: string, content_text: string, status: string, published_at: number | null } | undefined
    if (row === undefined) return
    const hash = createHash('sha1').update(`${VECTOR_VERSION}\0${row.title}\0${row.content_text}`).digest('base64url')
    if (storedHash.get(id) !== hash) {
      const v = buildTermVector(row.title, row.content_text)
      dropTerms.run(id)
      if (v.terms.length === 0) insertTerm.run(id, '', 0)
      for (let i = 0; i < v.terms.length; i++) insertTerm.run(id, v.terms[i], v.weights[i])
    }
    saveEntry.run(id, hash, row.status, row.published_at)
  }

  return {
    indexPost,

    /** The change-bus listener: every post write refreshes that post's entry (a deleted post's rows go by cascade). */
    listener (change: ContentChange): void {
      if (change.kind === 'post' && change.after !== null) indexPost(change.id)
    },

    /** Indexes one post now, in its own transaction. */
    indexNow (id: number): void {
      c.transaction(() => indexPost(id)).immediate()
    },

    /** Gives an entry to every post whose vector is stored but has none; returns how many. */
    adoptStored (): number {
      return adopt.run().changes
    },

    /**
     * Indexes posts that have no entry, in one transaction, until `budgetMs`
     * has passed (at least one post); returns how many it did and whether any are left.
     */
    indexMissing (budgetMs: number): { done: number, more: boolean } {
      return c.transaction(() => {
        const start = performance.now()
        let done = 0
        for (;;) {
          const ids = missing.all(64) as number[]
          for (const id of ids) {
            indexPost(id)
            done++
            if (performance.now() - start >= budgetMs) return { done, more: true }
          }
          if (ids.length < 64) return { done, more: false }
        }
      }).immediate()
    }
  }
}
export type RelatedIndexer = ReturnType<typeof createRelatedIndexer>
