import { FieldError, NotAFeed, NotFound, SourceDisabled } from '../../errors.js'
import { FeedParseError, parseFeed } from '../../lib/feed-import.js'
import type { DebugLog } from '../../lib/safe-http.js'
import { fetchFeed } from '../imports/imports-service.js'
import type { SourceInput, SourceRow, SourcesRepository } from './sources-repository.js'
import type { SourcePoller } from './sources-poller.js'
import type { CreateSourceBodyType, UpdateSourceBodyType } from './sources-schemas.js'

const DEFAULT_INTERVAL_MINUTES = 30

/**
 * Feed subscriptions as the API changes them: a feed URL is fetched and read once before it
 * is stored (the SSRF rules of imports and webhooks; 422 with the reason), the ids it assigns
 * must exist, and the poller is woken when a source becomes due.
 */
export function createSourcesService (deps: {
  repo: SourcesRepository
  poller: Pick<SourcePoller, 'wake'>
  allowPrivate: boolean
  /** The fetch of the check (tests lower it). */
  timeoutMs?: number
}) {
  const { repo, poller } = deps

  function load (id: number): SourceRow {
    const row = repo.findById(id)
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

  function checkIds (input: Pick<SourceInput, 'authorId' | 'categoryIds' | 'tagIds'>): void {
    const errors: Array<{ in: string, path: string, message: string }> = []
    if (input.authorId !== null && repo.missing('author', [input.authorId]).length > 0) errors.push({ in: 'body', path: '/author_id', message: `no author has id ${input.authorId}` })
    const cats = repo.missing('category', input.categoryIds)
    if (cats.length > 0) errors.push({ in: 'body', path: '/category_ids', message: `no category has id ${cats.join(', ')}` })
    const tags = repo.missing('tag', input.tagIds)
    if (tags.length > 0) errors.push({ in: 'body', path: '/tag_ids', message: `no tag has id ${tags.join(', ')}` })
    if (errors.length > 0) throw new FieldError(errors, 422)
  }

  return {
    load,

    /** Checks the ids and the feed, stores the source and has it polled at once. */
    async create (body: CreateSourceBodyType, log: DebugLog): Promise<SourceRow> {
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
      checkIds(input)
      input.feedUrl = await checkFeed(body.feed_url, log)
      const row = repo.create(input, Date.now())
      if (row.enabled) poller.wake()
      return row
    },

    /**
     * Changes what the body names. A new feed URL is checked like on create; enabling a
     * disabled source (or moving it) clears its failures and has it polled at once.
     */
    async update (id: number, body: UpdateSourceBodyType, log: DebugLog): Promise<SourceRow> {
      const row = load(id)
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
      checkIds(next)
      const now = Date.now()
      const moved = body.feed_url !== undefined && body.feed_url !== row.feedUrl
      if (moved) next.feedUrl = await checkFeed(body.feed_url!, log)
      if (moved || (next.enabled && !row.enabled)) {
        next.consecutiveFailures = 0
        next.disabledReason = null
        next.nextPollAt = now
      }
      const saved = repo.update(id, next, now)
      if (saved === undefined) throw new NotFound('Source', String(id))
      if (saved.enabled && saved.nextPollAt <= now) poller.wake()
      return saved
    },

    remove (id: number): void {
      if (!repo.remove(id)) throw new NotFound('Source', String(id))
    },

    /**
     * Polls a source now, unless it is backing off after failures (the feed asked us to wait,
     * or is failing): then at the end of that wait, which `next_poll_at` shows.
     */
    pollNow (id: number): SourceRow {
      const row = load(id)
      if (!row.enabled) throw new SourceDisabled(id)
      const now = Date.now()
      const at = row.consecutiveFailures > 0 ? Math.max(now, row.nextPollAt) : now
      const saved = repo.pollAt(id, at, now) ?? row
      if (at <= now) poller.wake()
      return saved
    }
  }
}
export type SourcesService = ReturnType<typeof createSourcesService>
