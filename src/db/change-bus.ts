/** How a post stands for the public at one moment. */
export interface PostState {
  slug: string
  /** published (possibly with a future published_at), draft or archived */
  status: 'draft' | 'published' | 'archived' | 'scheduled'
  publishedAt: number | null
}

/** The terms a post carries, for telling which become public or hidden when it changes. */
export interface PostLinks {
  authorId: number
  /** Every author, primary first (co-authors included); the primary alone when not given. */
  authorIds?: readonly number[]
  /** Whether the post is featured (lists filtered by `featured` show it or not). */
  featured?: boolean
  categoryIds: readonly number[]
  tagIds: readonly number[]
}

export type ContentChange =
  // `links` is given when the post's links or existence may have changed (not by touchPosts).
  | { kind: 'post', id: number, before: PostState | null, after: PostState | null, links?: { before: PostLinks | null, after: PostLinks | null } }
  // A term written (upsert) or deleted. A delete also stands for "stopped being public" (a
  // category whose last live post moved away); `wasPublic` tells whether the public could see
  // it before, so a term the public never saw never appears in the change log. On an upsert it
  // is given when the term's own fields did not change: false when it has just become public
  // (a category whose sub-category got its first live post), true when it only took posts over.
  | { kind: 'category' | 'tag' | 'author', id: number, slug: string, action: 'upsert' | 'delete', wasPublic?: boolean }
  | { kind: 'comment', id: number, postId: number, before: string | null, after: string | null }
  // A page written or deleted: its own state before and after (a scheduled page is published
  // with a future published_at, as a post).
  | { kind: 'page', id: number, before: PostState | null, after: PostState | null }
  | { kind: 'site' }

/** A listener runs inside the write's transaction: it may write, and a throw rolls all back. */
export type ChangeListener = (change: ContentChange, now: number) => void

/** Runs once at the end of every write's transaction, after its last change: it may write too. */
export type SettleListener = (changes: readonly ContentChange[], now: number) => void

/** Whether a post state is visible to the public at `now`. */
export function isLive (state: PostState | null, now: number): boolean {
  return state !== null && state.status === 'published' && state.publishedAt !== null && state.publishedAt <= now
}

/** Whether a post state will become visible later by itself. */
export function isScheduled (state: PostState | null, now: number): boolean {
  return state !== null && state.status === 'published' && state.publishedAt !== null && state.publishedAt > now
}

/**
 * The content change bus. Every write emits what it changed inside its transaction; the
 * change log, webhook queue and search/related indexes listen and write in the same
 * transaction, so they can never disagree with the content. After-commit listeners (cache
 * purges) hear about a change only once it is durable.
 */
export function createChangeBus () {
  const listeners: ChangeListener[] = []
  const settling: SettleListener[] = []
  const afterCommit: Array<(changes: ContentChange[]) => void> = []
  return {
    on (listener: ChangeListener): void { listeners.push(listener) },
    /**
     * Work that depends on the write as a whole rather than on each change (the read model
     * rebuilds the documents a write's rows queued, once each, whatever the order they changed in).
     */
    onSettle (listener: SettleListener): void { settling.push(listener) },
    onCommitted (listener: (changes: ContentChange[]) => void): void { afterCommit.push(listener) },
    emit (change: ContentChange, now: number): void {
      for (const l of listeners) l(change, now)
    },
    /** Called by the writer inside the transaction, after the write's own work. */
    settle (changes: readonly ContentChange[], now: number): void {
      for (const l of settling) l(changes, now)
    },
    committed (changes: ContentChange[]): void {
      if (changes.length === 0) return
      for (const l of afterCommit) {
        try { l(changes) } catch { /* a purge failure must not fail a committed write */ }
      }
    }
  }
}
export type ChangeBus = ReturnType<typeof createChangeBus>
