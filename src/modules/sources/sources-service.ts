import { FieldError, NotAFeed, NotFound, SourceDisabled } from '../../errors.js'
import { FeedParseError, parseFeed } from '../../lib/feed-import.js'
import type { DebugLog } from '../../lib/safe-http.js'
import type { EngineTx } from '../../db/engine-port.js'
import type { EngineWrite } from '../../db/engine-write.js'
import { fetchFeed } from '../imports/imports-service.js'
import type { SourceInput, SourceRow, SourcesRepository } from './sources-repository.js'
import type { SourcePoller } from './sources-poller.js'
import type { CreateSourceBodyType, UpdateSourceBodyType } from './sources-schemas.js'

const DEFAULT_INTERVAL_MINUTES = 30

/**
 * A text holding NUL is refused as a 400 on both engines (PostgreSQL text cannot store it):
 * HTTP bodies are refused before (plugins/validation.ts), this keeps the rule for every caller.
 */
function refuseNul (fields: Record<string, unknown>): void {
  const errors = Object.entries(fields).flatMap(([path, value]) => typeof value === 'string' && value.includes('\u0000')
    ? [{ in: 'body' as const, path, message: 'must not contain the NUL character (U+0000)' }]
    : [])
  if (errors.length > 0) throw new FieldError(errors)
}

const textsOf = (body: CreateSourceBodyType | UpdateSourceBodyType) => ({
  '/feed_url': body.feed_url,
  '/name': body.name,
  '/attribution/name': body.attribution?.name,
  '/attribution/url': body.attribution?.url
})

/**
 * Feed subscriptions as the API changes them: a feed URL is fetched and read once before it
 * is stored (the SSRF rules of imports and webhooks; 422 with the reason), the ids it assigns
 * must exist (checked again inside the write, through `tx`), and the poller is woken when a
 * source becomes due. Every write is one transaction of the engine-neutral writer; the feed is
 * fetched before it, never inside.
 */
export function createSourcesService (deps: {
  repo: SourcesRepository
  /** The engine-neutral writer (src/db/engine-write.ts). */
  write: EngineWrite
  poller: Pick<SourcePoller, 'wake'>
  allowPrivate: boolean
  /** The fetch of the check (tests lower it). */
  timeoutMs?: number
}) {
  const { repo, write, poller } = deps

  async function load (id: number, tx?: EngineTx): Promise<SourceRow> {
    const row = await repo.findById(id, tx)
    if (row === undefined) throw new NotFound('Source', String(id))
    return row
  }

  /** The feed answers and reads as a feed; its URL after redirects is kept. */
  async function checkFeed (url: string, log: DebugLog): Promise<string> {
    const fetched = await fetchFeed(url, { allowPrivate: deps.allowPrivate, timeoutMs: deps.timeoutMs })
    try {
      parseFeed(fetched.bytes, { contentType: fetched.contentType, baseUrl: fetched.url })
    } catch (err) {
      if (err instanceof FeedParseError) throw new NotAFeed(`The feed URL ${url} is not a readable feed: ${err.message}`)
      throw err
    }
    log.debug({ url, final: fetched.url }, 'source feed checked')
    return url
  }

  async function checkIds (input: Pick<SourceInput, 'authorId' | 'categoryIds' | 'tagIds'>, tx?: EngineTx): Promise<void> {
    const errors: Array<{ in: string, path: string, message: string }> = []
    if (input.authorId !== null && (await repo.missing('author', [input.authorId], tx)).length > 0) errors.push({ in: 'body', path: '/author_id', message: `no author has id ${input.authorId}` })
    const cats = await repo.missing('category', input.categoryIds, tx)
    if (cats.length > 0) errors.push({ in: 'body', path: '/category_ids', message: `no category has id ${cats.join(', ')}` })
    const tags = await repo.missing('tag', input.tagIds, tx)
    if (tags.length > 0) errors.push({ in: 'body', path: '/tag_ids', message: `no tag has id ${tags.join(', ')}` })
    if (errors.length > 0) throw new FieldError(errors, 422)
  }

  return {
    load,

    /** Checks the ids and the feed, stores the source and has it polled at once. */
    async create (body: CreateSourceBodyType, log: DebugLog): Promise<SourceRow> {
      refuseNul(textsOf(body))
      const input: SourceInput = {
        feedUrl: body.feed_url,
        name: body.name.trim(),
        categoryIds: body.category_ids ?? [],
        tagIds: body.tag_ids ?? [],
        authorId: body.author_id ?? null,
        status: body.status ?? 'draft',
        intervalMinutes: body.interval_minutes ?? DEFAULT_INTERVAL_MINUTES,
        enabled: body.enabled ?? true,
        attributionName: body.attribution?.name ?? null,
        attributionUrl: body.attribution?.url ?? null
      }
      await checkIds(input)
      input.feedUrl = await checkFeed(body.feed_url, log)
      const row = await write(async (tx, _emit, now) => {
        await checkIds(input, tx)
        return await repo.create(tx, input, now)
      })
      if (row.enabled) poller.wake()
      return row
    },

    /**
     * Changes what the body names. A new feed URL is checked like on create; enabling a
     * disabled source (or moving it) clears its failures and has it polled at once.
     */
    async update (id: number, body: UpdateSourceBodyType, log: DebugLog): Promise<SourceRow> {
      refuseNul(textsOf(body))
      const apply = (row: SourceRow): SourceRow => {
        const next = { ...row }
        if (body.name !== undefined) next.name = body.name.trim()
        if (body.category_ids !== undefined) next.categoryIds = body.category_ids
        if (body.tag_ids !== undefined) next.tagIds = body.tag_ids
        if (body.author_id !== undefined) next.authorId = body.author_id
        if (body.status !== undefined) next.status = body.status
        if (body.interval_minutes !== undefined) next.intervalMinutes = body.interval_minutes
        if (body.enabled !== undefined) next.enabled = body.enabled
        if (body.attribution?.name !== undefined) next.attributionName = body.attribution.name
        if (body.attribution?.url !== undefined) next.attributionUrl = body.attribution.url
        return next
      }
      const row = await load(id)
      await checkIds(apply(row))
      const moved = body.feed_url !== undefined && body.feed_url !== row.feedUrl
      const feedUrl = moved ? await checkFeed(body.feed_url!, log) : undefined
      // Applied again to the row as the write reads it: a poll recorded meanwhile (failures,
      // the next poll, a permanent redirect) is kept, not overwritten by the row read above.
      const { saved, now } = await write(async (tx, _emit, now) => {
        const current = await load(id, tx)
        const next = apply(current)
        await checkIds(next, tx)
        if (feedUrl !== undefined) next.feedUrl = feedUrl
        if (feedUrl !== undefined || (next.enabled && !current.enabled)) {
          next.consecutiveFailures = 0
          next.disabledReason = null
          next.nextPollAt = now
        }
        const saved = await repo.update(tx, id, next, now)
        if (saved === undefined) throw new NotFound('Source', String(id))
        return { saved, now }
      })
      if (saved.enabled && saved.nextPollAt <= now) poller.wake()
      return saved
    },

    async remove (id: number): Promise<void> {
      if (!await write(async (tx) => await repo.remove(tx, id))) throw new NotFound('Source', String(id))
    },

    /**
     * Polls a source now, unless it is backing off after failures (the feed asked us to wait,
     * or is failing): then at the end of that wait, which `next_poll_at` shows.
     */
    async pollNow (id: number): Promise<SourceRow> {
      const { saved, due } = await write(async (tx, _emit, now) => {
        const row = await load(id, tx)
        if (!row.enabled) throw new SourceDisabled(id)
        const at = row.consecutiveFailures > 0 ? Math.max(now, row.nextPollAt) : now
        return { saved: await repo.pollAt(tx, id, at, now) ?? row, due: at <= now }
      })
      if (due) poller.wake()
      return saved
    }
  }
}
export type SourcesService = ReturnType<typeof createSourcesService>
