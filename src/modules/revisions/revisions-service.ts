import { AsyncLocalStorage } from 'node:async_hooks'
import type { ContentChange } from '../../db/change-bus.js'
import type { EngineTx } from '../../db/engine-port.js'
import type { EngineWrite } from '../../db/engine-write.js'
import type { Writer } from '../../db/write.js'
import { NotFound, StaleEntityTag } from '../../errors.js'
import { ifMatchPasses, onlyWeakTags } from '../../lib/if-match.js'
import { seoFieldsOf, type SeoFields } from '../../lib/seo.js'
import type { EditorialState, RevisionKind, RevisionRow, RevisionsRepository, SqliteRevisionsRepository } from './revisions-repository.js'

/** The fields a revision keeps, as the API names them, in the order lists name them. */
export const EDITORIAL_FIELDS = [
  'title', 'excerpt', 'content_html', 'status', 'published_at',
  'meta_title', 'meta_description', 'og_title', 'og_description', 'og_image',
  'twitter_title', 'twitter_description', 'twitter_image', 'canonical_url', 'noindex'
] as const
export type EditorialField = typeof EDITORIAL_FIELDS[number]

/**
 * A post's or page's editorial fields at one revision. `status` is as stored (a scheduled post
 * is `published` with a future `published_at`, in milliseconds here; the mapper shows ISO).
 */
export type RevisionFields = SeoFields & {
  title: string
  excerpt: string
  content_html: string
  status: string
  published_at: number | null
  canonical_url: string | null
}

/** Who makes a write: the request's key (keyId null for ADMIN_TOKEN), or null for no key. */
export interface Actor { keyId: number | null, name: string }

/** The key a request is made with (its `request.auth`), as revisions record it. */
export function actorOf (auth: { keyId: number | null, name: string } | null): Actor | null {
  return auth === null ? null : { keyId: auth.keyId, name: auth.name }
}

/** What a restore hands the normal update of a post or page (its write body's names). */
export type RestoreInput = Omit<RevisionFields, 'published_at'> & { published_at: string | null }

export interface RevisionsDeps {
  /** The SQLite repository: its Promise methods for reads and `editAsync`, its `.sync` for the listener, `edit`, `etag` and restores. */
  repo: SqliteRevisionsRepository
  write: Writer
  /**
   * The engine-neutral writer of the same connection (src/db/engine-write.ts), for edits of the
   * ported services (pages): `editAsync` checks If-Match in its transaction.
   */
  writeAsync?: EngineWrite
  /** REVISIONS_KEEP: the newest revisions kept per post or page (older ones pruned by the write that adds one). */
  keep: number
  /** The normal updates, which a restore goes through (change log, webhooks, read model, cache). */
  update: Record<RevisionKind, (id: number, input: RestoreInput) => void>
}

/** What an edit checks and who makes it. */
export interface EditOptions {
  /** The request's If-Match header; undefined: none, the write goes ahead (last write wins). */
  ifMatch?: string
  by: Actor | null
  /** The status of a stale If-Match: 412 for edits, 409 for restores. */
  staleStatus?: 409 | 412
}

function fieldsOf (state: EditorialState): RevisionFields {
  // A post without a post_seo row reads its SEO columns as nulls (noindex too).
  const { noindex, ...seo } = seoFieldsOf({ ...state, noindex: state.noindex === true })
  return {
    title: state.title,
    excerpt: state.excerpt,
    content_html: state.contentHtml,
    status: state.status,
    published_at: state.publishedAt,
    ...seo,
    canonical_url: state.canonicalUrl,
    noindex
  }
}

const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null)

/** The revision a write stores after `latest`, given the state it left (undefined: none to store). */
function nextRevision (state: EditorialState, latest: RevisionRow | undefined, restoredFrom: number | null, by: Actor | null, now: number) {
  const fields = fieldsOf(state)
  const before = latest?.fields as Partial<RevisionFields> | undefined
  const changed: string[] = before === undefined ? [...EDITORIAL_FIELDS] : EDITORIAL_FIELDS.filter((f) => !same(before[f], fields[f]))
  if (changed.length === 0 && restoredFrom === null) return undefined
  const keyId = by?.keyId ?? null
  return {
    number: (latest?.number ?? 0) + 1,
    createdAt: now,
    keyId,
    keyName: by?.name ?? null,
    changed,
    restoredFrom,
    fields: fields as unknown as Record<string, unknown>
  }
}

/** A post's or page's ETag from its stamp. */
function etagOf (kind: RevisionKind, id: number, stamp: { updatedAt: number, number: number }): string {
  return `"${kind === 'post' ? 'p' : 'g'}${id}.${stamp.number}.${stamp.updatedAt.toString(36)}"`
}

/**
 * Stores the revision of a post's or page's write on either engine, through the write's `tx`
 * (the state read as that write left it), and prunes to `keep`: what the synchronous listener
 * of createRevisions does on SQLite, for a write whose listeners run on `tx` (PostgreSQL's bus).
 * Answers the stored revision's number, or undefined when nothing changed.
 */
export async function recordRevision (repo: RevisionsRepository, tx: EngineTx, kind: RevisionKind, id: number, now: number, opts: { by: Actor | null, keep: number, restoredFrom?: number | null }): Promise<number | undefined> {
  const state = await repo.state(kind, id, tx)
  if (state === undefined) return undefined
  const next = nextRevision(state, await repo.latest(kind, id, tx), opts.restoredFrom ?? null, opts.by, now)
  if (next === undefined) return undefined
  await repo.insert(tx, kind, id, { ...next, keyPrefix: next.keyId === null ? null : await repo.keyPrefix(next.keyId, tx) })
  if (next.number > opts.keep) await repo.prune(tx, kind, id, next.number - opts.keep)
  return next.number
}

/** The ETag of a post or page on either engine (given `tx`: as that write sees it); undefined: there is none. */
export async function etagAsync (repo: RevisionsRepository, kind: RevisionKind, id: number, tx?: EngineTx): Promise<string | undefined> {
  const stamp = await repo.stamp(kind, id, tx)
  return stamp === undefined ? undefined : etagOf(kind, id, stamp)
}

/**
 * Revisions of posts and pages, and optimistic concurrency for their edits.
 *
 * A change bus listener stores a revision inside every write that changes a post's or page's
 * editorial fields, so whatever makes the write (the API, an import, the feed poller, the
 * command line, a restore) it is recorded the same way, and pruned to `keep` in the same
 * transaction. The key that made it is the one `as`, `edit` or `editAsync` runs the write for,
 * kept in the call's async context (AsyncLocalStorage): a synchronous write's listeners run
 * within the call, an async write's within the Promise chain it started.
 *
 * A post's or page's ETag (the validator of edits) is its updated_at and its newest revision's
 * number: every write through the services moves updated_at, and a revision's number moves
 * with its editorial fields even within one millisecond. Counts kept by other resources
 * (comments) and the names of its terms do not move it, so an edit is not refused because a
 * comment was approved meanwhile.
 */
export function createRevisions ({ repo, write, writeAsync, keep, update }: RevisionsDeps) {
  const sync = repo.sync
  const acting = new AsyncLocalStorage<Actor | null>()
  // The restore running now: its write stores a revision even when nothing differs.
  let restoring: { kind: RevisionKind, id: number, from: number } | null = null

  function record (kind: RevisionKind, id: number, now: number): void {
    const state = sync.state(kind, id)
    if (state === undefined) return
    const restore = restoring !== null && restoring.kind === kind && restoring.id === id ? restoring : null
    const next = nextRevision(state, sync.latest(kind, id), restore?.from ?? null, acting.getStore() ?? null, now)
    if (next === undefined) return
    sync.insert(kind, id, { ...next, keyPrefix: next.keyId === null ? null : sync.keyPrefix(next.keyId) })
    if (restore !== null) restoring = null
    if (next.number > keep) sync.prune(kind, id, next.number - keep)
  }

  function etag (kind: RevisionKind, id: number): string | undefined {
    const stamp = sync.stamp(kind, id)
    return stamp === undefined ? undefined : etagOf(kind, id, stamp)
  }

  function as<T> (by: Actor | null, fn: () => T): T {
    return acting.run(by, fn)
  }

  function checkIfMatch (kind: RevisionKind, id: number, ifMatch: string, staleStatus: 409 | 412): void {
    const current = etag(kind, id)
    if (current === undefined) throw new NotFound(kind === 'post' ? 'Post' : 'Page', String(id))
    if (!ifMatchPasses(ifMatch, current)) throw new StaleEntityTag(staleStatus, `${kind} ${id}`, ifMatch, current, onlyWeakTags(ifMatch))
  }

  function edit<T> (kind: RevisionKind, id: number, opts: EditOptions, fn: () => T): T {
    const { ifMatch } = opts
    if (ifMatch === undefined) return as(opts.by, fn)
    // The check and the write are one transaction (the write inside is its savepoint), so no
    // other process's write can land between them.
    return write(() => {
      checkIfMatch(kind, id, ifMatch, opts.staleStatus ?? 412)
      return as(opts.by, fn)
    })
  }

  /**
   * `edit` for an async write (a ported service's, on `writeAsync`): the check and the write
   * are one transaction of the engine-neutral writer (the service's write inside is its
   * savepoint); the ETag is read through the write's `tx` (checkIfMatchAsync).
   */
  async function editAsync<T> (kind: RevisionKind, id: number, opts: EditOptions, fn: () => Promise<T>): Promise<T> {
    const { ifMatch } = opts
    if (ifMatch === undefined) return await as(opts.by, fn)
    if (writeAsync === undefined) throw new Error('editAsync needs the engine-neutral writer (createRevisions({ writeAsync }))')
    return await writeAsync(async (tx) => {
      await checkIfMatchAsync(repo, tx, kind, id, ifMatch, opts.staleStatus ?? 412)
      return await as(opts.by, fn)
    })
  }

  function found (kind: RevisionKind, id: number, number: number): RevisionRow {
    const row = sync.find(kind, id, number)
    if (row === undefined) throw new NotFound('Revision', `${number} of ${kind} ${id}`)
    return row
  }

  return {
    /** The change bus listener: a revision for every change of a post's or page's editorial fields. */
    listener (change: ContentChange, now: number): void {
      // A post touched without a write of its own (touchPosts: an approved comment, a renamed
      // term) has no `links` and the same editorial fields: nothing to compare, two reads saved.
      if (change.kind === 'post' && change.links === undefined) return
      if ((change.kind === 'post' || change.kind === 'page') && change.after !== null) record(change.kind, change.id, now)
    },
    /** The current ETag of a post or page (undefined: there is none). */
    etag,
    /** Runs a write (create) made by `by`. */
    as,
    /**
     * Runs an edit of a post or page made by `opts.by`, after checking `opts.ifMatch` against
     * its current ETag in the same transaction: a stale one is a 412 (409 for a restore) naming
     * the current ETag. Without If-Match the edit goes ahead as before.
     */
    edit,
    /** `edit` for a write of a ported service (async, on the engine-neutral writer). */
    editAsync,
    async list (kind: RevisionKind, id: number, offset: number, limit: number) {
      return await repo.list(kind, id, offset, limit)
    },
    async get (kind: RevisionKind, id: number, number: number): Promise<RevisionRow> {
      return await findAsync(repo, kind, id, number)
    },
    /**
     * Writes revision `number`'s fields back through the normal update and answers the new
     * revision (stored even when nothing differed, with restored_from).
     */
    restore (kind: RevisionKind, id: number, number: number, opts: Omit<EditOptions, 'staleStatus'>): RevisionRow {
      const fields = found(kind, id, number).fields as unknown as RevisionFields
      const input: RestoreInput = { ...fields, published_at: fields.published_at === null ? null : new Date(fields.published_at).toISOString() }
      edit(kind, id, { ...opts, staleStatus: 409 }, () => {
        restoring = { kind, id, from: number }
        try {
          update[kind](id, input)
        } finally {
          restoring = null
        }
      })
      return sync.latest(kind, id) as RevisionRow
    }
  }
}
export type Revisions = ReturnType<typeof createRevisions>

/** One revision on either engine, or a 404 naming it. */
export async function findAsync (repo: RevisionsRepository, kind: RevisionKind, id: number, number: number, tx?: EngineTx): Promise<RevisionRow> {
  const row = await repo.find(kind, id, number, tx)
  if (row === undefined) throw new NotFound('Revision', `${number} of ${kind} ${id}`)
  return row
}

/** Checks If-Match against a post's or page's ETag on either engine, through the write's `tx`: a 404 when it is gone, a 412 (or 409) when stale. */
export async function checkIfMatchAsync (repo: RevisionsRepository, tx: EngineTx, kind: RevisionKind, id: number, ifMatch: string, staleStatus: 409 | 412): Promise<void> {
  const current = await etagAsync(repo, kind, id, tx)
  if (current === undefined) throw new NotFound(kind === 'post' ? 'Post' : 'Page', String(id))
  if (!ifMatchPasses(ifMatch, current)) throw new StaleEntityTag(staleStatus, `${kind} ${id}`, ifMatch, current, onlyWeakTags(ifMatch))
}
