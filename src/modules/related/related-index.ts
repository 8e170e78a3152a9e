import { createHash } from 'node:crypto'
import type { Db } from '../../db/client.js'
import type { ContentChange } from '../../db/change-bus.js'
import { buildTermVector } from '../../lib/related.js'
import { createRelatedWriter } from './related-repository.js'

// The version of the tokenizer (stemmer, stopwords) that vectors are built with, and the
// start of every fingerprint. An entry of another version is rebuilt by the backfill that the
// first related request starts, as a post without an entry would be, and by the next write of
// its post. 1: a private stemmer and stopword list; 2: Porter2 (wink-porter2-stemmer) and the `stopword` package's English list.
export const VECTOR_VERSION = '2.'

/**
 * Keeps the related-posts index (post_terms, post_vectors) in step with the posts: `listener`
 * runs on the change bus inside every post write; `indexMissing` and `adoptStored` catch up
 * posts that have no current entry yet (rows from before the related migration or from an
 * older tokenizer, or written around the write services).
 */
/** Adopted posts whose stored vector was found to be their text's, remembered (by fingerprint) at most this many. */
const VERIFIED_ADOPTED = 10_000

export function createRelatedIndexer (db: Db) {
  const w = createRelatedWriter(db, VECTOR_VERSION)
  // Adopted entries (a bulk loader's vectors: the version alone, no fingerprint) whose vector
  // this process found to be exactly the one their text makes, by post: the fingerprint it was
  // checked against.
  const verified = new Map<number, string>()

  /**
   * Brings one post's entry up to date, rebuilding its vector only when its title or text
   * changed; call inside a transaction. An adopted entry keeps its bare version while its
   * stored vector is the one its text makes: a new fingerprint would count as a change of the
   * post's vector (the related-lists triggers), and every first write of a loaded post (a
   * comment approved, which touches it) would then rescore its list and the lists around it —
   * about 16 lists, 50 ms and more at 10,000 posts — for a vector that did not change.
   */
  function indexPost (id: number): void {
    const row = w.source(id)
    if (row === undefined) return
    const hash = VECTOR_VERSION + createHash('sha1').update(`${row.title}\0${row.contentText}`).digest('base64url')
    const stored = w.storedHash(id)
    let entry = hash
    if (stored !== hash) {
      if (stored === VECTOR_VERSION && verified.get(id) === hash) {
        entry = stored
      } else {
        const vector = buildTermVector(row.title, row.contentText)
        if (stored === VECTOR_VERSION && w.storedVectorIs(id, vector)) {
          entry = stored
          if (verified.size >= VERIFIED_ADOPTED) verified.delete(verified.keys().next().value as number)
          verified.set(id, hash)
        } else {
          w.saveVector(id, vector)
        }
      }
    }
    w.saveEntry(id, entry, row.status, row.publishedAt)
  }

  return {
    indexPost,

    /** The change-bus listener: every post write refreshes that post's entry (a deleted post's rows go by cascade). */
    listener (change: ContentChange): void {
      if (change.kind === 'post' && change.after !== null) indexPost(change.id)
    },

    /** Indexes one post now, in its own transaction. */
    indexNow (id: number): void {
      db.transaction(() => indexPost(id), { behavior: 'immediate' })
    },

    /** Gives an entry to every post whose vector is stored but has none; returns how many. */
    adoptStored (): number {
      return w.adoptStored()
    },

    /**
     * Indexes posts that have no current entry, in one transaction, until `budgetMs` has passed
     * (at least one post); returns how many it did and whether any are left.
     */
    indexMissing (budgetMs: number): { done: number, more: boolean } {
      return db.transaction(() => {
        const start = performance.now()
        let done = 0
        for (;;) {
          const ids = w.missing(64)
          for (const id of ids) {
            indexPost(id)
            done++
            if (performance.now() - start >= budgetMs) return { done, more: true }
          }
          if (ids.length < 64) return { done, more: false }
        }
      }, { behavior: 'immediate' })
    }
  }
}
export type RelatedIndexer = ReturnType<typeof createRelatedIndexer>
