import { and, eq, exists, gt, lte, max, sql, type Column } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { isLive, isScheduled, type ContentChange, type PostLinks } from '../../db/change-bus.js'
import { settled, type EngineDb } from '../../db/engine-port.js'
import type { PgDb } from '../../db/pg/client.js'
import * as pgs from '../../db/pg/schema.js'
import { changes } from '../../db/schema.js'
import type { TermKind, TermVisibility } from '../../db/term-visibility.js'

export type ChangeRow = typeof changes.$inferSelect

/** A page of the log: entries after a position, the position to continue from, whether more wait. */
export interface ChangesPage { rows: ChangeRow[], next: { at: number, id: number }, hasMore: boolean }

/** The change log's reads, on either engine (src/db/engine-port.ts): Promises, settled at once on SQLite. */
export interface ChangeLogReads {
  /** When public content last changed (the newest visible entry), or null before any change. */
  lastChangedAt: (now: number) => Promise<number | null>
  /**
   * Up to `limit` entries after a position, oldest first, with the position to continue from
   * and whether more are waiting; never entries whose time has not come.
   *
   * An upsert of a category, tag or author that is not public now is skipped: a term is
   * logged only while public, but a post announced for a go-live may have been rescheduled
   * since, and entries written before this rule must not name an embargoed term either.
   * A term that becomes public gets an entry of its own at that moment.
   */
  after: (position: { at: number, id: number }, limit: number, now?: number) => Promise<ChangesPage>
}

/** Reads `limit` visible entries through `batch` (limit + 1 rows from a position), skipping the hidden. */
async function readPage (position: { at: number, id: number }, limit: number, batch: (last: { at: number, id: number }) => ChangeRow[] | Promise<ChangeRow[]>, hidden: (row: ChangeRow) => boolean | Promise<boolean>): Promise<ChangesPage> {
  const rows: ChangeRow[] = []
  let last = position
  for (;;) {
    const found = await batch(last)
    for (const row of found) {
      if (!await hidden(row)) {
        if (rows.length === limit) return { rows, next: { at: rows[limit - 1].changedAt, id: rows[limit - 1].id }, hasMore: true }
        rows.push(row)
      }
      last = { at: row.changedAt, id: row.id }
    }
    if (found.length < limit + 1) return { rows, next: last, hasMore: false }
  }
}

/** Whether an entry names a term, whose upserts are shown only while the term is public. */
const termUpsert = (row: ChangeRow): row is ChangeRow & { resource: TermKind } =>
  row.action === 'upsert' && (row.resource === 'category' || row.resource === 'tag' || row.resource === 'author')

/**
 * The change log: records public changes (asking `terms` whether a term is public), on SQLite,
 * synchronously inside the write's transaction, and reads them in order (ChangeLogReads).
 */
export function createChangesRepository (edb: Extract<EngineDb, { engine: 'sqlite' }>, terms: TermVisibility) {
  const { db } = edb
  const ph = sql.placeholder
  const insert = db.insert(changes)
    .values({ resource: ph('resource'), resourceId: ph('id'), slug: ph('slug'), action: ph('action'), postId: ph('postId'), changedAt: ph('at') }).prepare()
  // Entries not yet visible (a scheduled post's future go-live) are replaced on every write.
  const dropFuture = db.delete(changes)
    .where(and(eq(changes.resource, ph('resource')), eq(changes.resourceId, ph('id')), gt(changes.changedAt, ph('now')))).prepare()
  // The position as a row value: one range of changes_changed_idx, read in order up to the
  // limit. Written as `at > ? OR (at = ? AND id > ?)` SQLite gathered every entry after the
  // position through two indexes and sorted them (a page from the start of 1,600 entries: 290 µs).
  const pageStmt = db.select().from(changes)
    .where(and(lte(changes.changedAt, ph('now')), sql`(${changes.changedAt}, ${changes.id}) > (${ph('at')}, ${ph('id')})`))
    .orderBy(changes.changedAt, changes.id).limit(ph('limit')).prepare()
  const lastStmt = db.select({ at: max(changes.changedAt) }).from(changes).where(lte(changes.changedAt, ph('now'))).prepare()
  // A term that a scheduled post will make public is announced at its go-live time; saving the
  // post again must not announce it twice.
  const dropSame = db.delete(changes)
    .where(and(eq(changes.resource, ph('resource')), eq(changes.resourceId, ph('id')), eq(changes.changedAt, ph('at')))).prepare()

  function record (resource: ChangeRow['resource'], id: number, slug: string | null, action: ChangeRow['action'], at: number, postId: number | null = null): void {
    insert.run({ resource, id, slug, action, at, postId })
  }

  function termIds (kind: TermKind, links: PostLinks | null): Set<number> {
    if (links === null) return new Set()
    if (kind === 'tag') return new Set(links.tagIds)
    if (kind === 'author') return new Set(links.authorIds ?? [links.authorId])
    return new Set(terms.withAncestors(links.categoryIds))
  }

  /**
   * Terms become public with their first live post and hidden with their last (see
   * db/term-visibility.ts): when a post write makes that happen, the log says so, so a mirror
   * fetches a term the moment it appears and drops it when it goes. A term a scheduled post
   * will make public is announced at the post's go-live time.
   */
  function announceTerms (change: Extract<ContentChange, { kind: 'post' }>, now: number): void {
    const links = change.links!
    const before = isLive(change.before, now) ? links.before : null
    const after = isLive(change.after, now) ? links.after : null
    const later = isScheduled(change.after, now) ? links.after : null
    for (const kind of ['category', 'tag', 'author'] as const) {
      const was = termIds(kind, before)
      const is = termIds(kind, after)
      const alone = (id: number) => !terms.hasLivePost(kind, id, now, change.id)
      for (const id of is) if (!was.has(id) && alone(id)) record(kind, id, terms.slugOf(kind, id) ?? null, 'upsert', now)
      for (const id of was) if (!is.has(id) && alone(id)) record(kind, id, terms.slugOf(kind, id) ?? null, 'delete', now)
      for (const id of termIds(kind, later)) {
        if (is.has(id) || !alone(id)) continue
        const at = change.after!.publishedAt!
        dropSame.run({ resource: kind, id, at })
        record(kind, id, terms.slugOf(kind, id) ?? null, 'upsert', at)
      }
    }
  }

  return {
    record,

    /** Turns a content change into log entries; runs inside the write's transaction. */
    listener (change: ContentChange, now: number): void {
      switch (change.kind) {
        case 'post':
        case 'page': {
          // A page is logged by its own state, as a post; one under a parent that is not live
          // is not readable while it is so (GET answers 404), which a mirror learns on fetching.
          dropFuture.run({ resource: change.kind, id: change.id, now })
          const { before, after } = change
          const slug = after?.slug ?? before?.slug ?? null
          if (isLive(after, now)) {
            record(change.kind, change.id, slug, 'upsert', now)
          } else if (isLive(before, now)) {
            record(change.kind, change.id, slug, 'delete', now)
          }
          if (isScheduled(after, now)) record(change.kind, change.id, slug, 'upsert', after!.publishedAt!)
          if (change.kind === 'post' && change.links !== undefined) announceTerms(change, now)
          break
        }
        case 'comment': {
          const wasPublic = change.before === 'approved'
          const isPublic = change.after === 'approved'
          if (isPublic) record('comment', change.id, null, 'upsert', now, change.postId)
          else if (wasPublic) record('comment', change.id, null, 'delete', now, change.postId)
          break
        }
        case 'site':
          record('site', 1, null, 'upsert', now)
          break
        default:
          // Only what the public may see: a term written while it has no live post is not
          // logged (it is announced when its first post goes live), nor a deleted one the
          // public never saw.
          if (change.action === 'upsert' ? terms.hasLivePost(change.kind, change.id, now) : change.wasPublic !== false) {
            record(change.kind, change.id, change.slug, change.action, now)
          }
      }
    },

    ...sqliteReads(db, pageStmt, lastStmt, terms)
  }
}
export type ChangesRepository = ReturnType<typeof createChangesRepository>

/**
 * The change log's reads on SQLite: read under the write lock with the time taken inside it (a
 * scheduled entry may become visible while a write that took an earlier time is still in
 * flight, and a reader who saw the scheduled entry first would skip the write's entry for good).
 */
function sqliteReads (db: Db, pageStmt: { all: (v: { at: number, id: number, limit: number, now: number }) => ChangeRow[] }, lastStmt: { get: (v: { now: number }) => { at: number | null } | undefined }, terms: Pick<TermVisibility, 'hasLivePost'>): ChangeLogReads {
  return {
    lastChangedAt: async (now) => await settled(() => lastStmt.get({ now })?.at ?? null),
    after: async (position, limit, now) => await settled(() => db.transaction(() => {
      const at = now ?? Date.now()
      const publicNow = new Map<string, boolean>()
      const hidden = (row: ChangeRow): boolean => {
        if (!termUpsert(row)) return false
        const key = `${row.resource}:${row.resourceId}`
        if (!publicNow.has(key)) publicNow.set(key, terms.hasLivePost(row.resource, row.resourceId, at))
        return publicNow.get(key) !== true
      }
      // Synchronous on SQLite: the same loop as readPage, inside the transaction.
      const rows: ChangeRow[] = []
      let last = position
      for (;;) {
        const batch = pageStmt.all({ ...last, limit: limit + 1, now: at })
        for (const row of batch) {
          if (!hidden(row)) {
            if (rows.length === limit) return { rows, next: { at: rows[limit - 1].changedAt, id: rows[limit - 1].id }, hasMore: true }
            rows.push(row)
          }
          last = { at: row.changedAt, id: row.id }
        }
        if (batch.length < limit + 1) return { rows, next: last, hasMore: false }
      }
    }, { behavior: 'immediate' }))
  }
}

/**
 * The change log's reads on PostgreSQL. No lock is needed to read in order: a writer stamps its
 * rows under the change log's turn with a time after every committed row's and ids given in
 * commit order (src/db/pg/change-log.ts), so a row committed later always sorts after any
 * position a reader has reached. Whether a term is public is the question of
 * src/db/term-visibility.ts (a live post, a category's through its sub-categories too), asked
 * once per term a page names.
 */
export function createChangeLogReads (edb: Extract<EngineDb, { engine: 'postgres' }>): ChangeLogReads {
  const db: PgDb = edb.db
  const { categories, changes, postAuthors, postCategories, posts, postTags } = pgs
  const ph = sql.placeholder
  const page = db.select().from(changes)
    .where(and(lte(changes.changedAt, ph('now')), sql`(${changes.changedAt}, ${changes.id}) > (${ph('at')}, ${ph('id')})`))
    .orderBy(changes.changedAt, changes.id).limit(ph('limit')).prepare('changes_after')
  const last = db.select({ at: max(changes.changedAt) }).from(changes).where(lte(changes.changedAt, ph('now'))).prepare('changes_last')
  const live = and(eq(posts.status, 'published'), lte(posts.publishedAt, ph('now')))
  const linked = (link: Column) => and(eq(posts.id, link), live)
  const liveOf = {
    tag: db.select({ live: exists(db.select({ one: sql`1` }).from(postTags).innerJoin(posts, linked(postTags.postId)).where(eq(postTags.tagId, ph('id')))) })
      .from(sql`(select 1) as one`).prepare('changes_tag_live'),
    author: db.select({ live: exists(db.select({ one: sql`1` }).from(postAuthors).innerJoin(posts, linked(postAuthors.postId)).where(eq(postAuthors.authorId, ph('id')))) })
      .from(sql`(select 1) as one`).prepare('changes_author_live'),
    // The category and every one below it (a recursive CTE, which the query builder cannot express).
    category: db.select({
      live: exists(db.select({ one: sql`1` }).from(postCategories).innerJoin(posts, linked(postCategories.postId))
        .where(sql`${postCategories.categoryId} in (with recursive tree(id) as (select ${ph('id')}::int union select k.id from ${categories} k join tree on k.parent_id = tree.id) select id from tree)`))
    }).from(sql`(select 1) as one`).prepare('changes_category_live')
  }
  return {
    lastChangedAt: async (now) => (await last.execute({ now }))[0]?.at ?? null,
    async after (position, limit, now) {
      const at = now ?? Date.now()
      const publicNow = new Map<string, Promise<boolean>>()
      const hidden = async (row: ChangeRow): Promise<boolean> => {
        if (!termUpsert(row)) return false
        const key = `${row.resource}:${row.resourceId}`
        let found = publicNow.get(key)
        if (found === undefined) {
          found = liveOf[row.resource].execute({ id: row.resourceId, now: at }).then((r) => r[0]?.live === true)
          publicNow.set(key, found)
        }
        return !await found
      }
      return await readPage(position, limit, async (from) => await page.execute({ ...from, limit: limit + 1, now: at }), hidden)
    }
  }
}
