import { RequestFailed, safeRequest, TargetError, type DebugLog, type SafeResponse } from '../../lib/safe-http.js'
import { createTickLoop } from '../../lib/tick-loop.js'
import type { FeedImportOptions } from '../imports/imports-service.js'
import type { ImportSummary } from '../imports/imports-schemas.js'
import type { PollOutcome, SourceRow, SourcesRepository } from './sources-repository.js'

export const SOURCE_USER_AGENT = 'Broadsheet-Feeds/1.0 (+https://broadsheet.dev/sources)'
const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1'
const FEED_CONTENT_TYPE = /(xml|rss|atom|rdf|json|text\/plain|application\/octet-stream)/i
const MAX_REDIRECTS = 5
const MAX_FEED_BYTES = 10 * 1024 * 1024
/** Longest wait the poller backs off to, or honours from a Retry-After. */
const MAX_DELAY_MS = 7 * 24 * 60 * 60 * 1000
const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000

/** Imports a fetched feed document as a source's posts (the imports module's feed importer). */
export type ImportFeed = (bytes: Buffer, opts: FeedImportOptions) => Promise<ImportSummary>

export interface SourcePollerOptions {
  allowPrivate: boolean
  /** SOURCE_MAX_FAILURES: consecutive failed polls that disable a source. */
  maxFailures: number
  timeoutMs?: number
  /** Longest sleep between two looks for due sources (other processes may have changed them). */
  pollMs?: number
  batchSize?: number
  log?: DebugLog & { warn: (obj: object, msg: string) => void, error: (obj: object, msg: string) => void }
  /** The clock and the jitter (tests). */
  now?: () => number
  random?: () => number
}

/**
 * A Retry-After value as a delay in milliseconds from `now` (seconds, or an HTTP date); null
 * when absent or unreadable. Capped at a week: a feed cannot park a source forever.
 */
export function retryAfterMs (value: string | string[] | undefined, now: number): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (text === undefined || text === '') return null
  let ms: number
  if (/^\d{1,10}$/.test(text)) ms = Number(text) * 1000
  else {
    const at = Date.parse(text)
    if (Number.isNaN(at)) return null
    ms = at - now
  }
  return Math.min(Math.max(0, ms), MAX_DELAY_MS)
}

/**
 * The wait after `failures` failed polls in a row: the interval doubled per failure, with
 * "equal jitter" (half fixed, half random) so sources failing together do not retry
 * together, never less than the interval and at most a day.
 */
export function backoffMs (failures: number, intervalMs: number, random: () => number = Math.random): number {
  const exp = Math.min(intervalMs * 2 ** Math.max(1, failures), MAX_BACKOFF_MS)
  return Math.max(intervalMs, Math.round(exp / 2 + (exp / 2) * random()))
}

interface PollResult {
  outcome: PollOutcome
  httpStatus: number | null
  url: string
  seen: number
  created: number
  updated: number
  error: string | null
}

function header (res: SafeResponse, name: string): string | null {
  const v = res.headers[name]
  return typeof v === 'string' && v.length <= 500 ? v : null
}

/**
 * The in-process poller of feed subscriptions, one per server process. Each tick leases the
 * due sources (so processes sharing the file never poll one at once), fetches each with its
 * validators (If-None-Match / If-Modified-Since), follows redirects by hand (a permanent one
 * updates the stored URL, a temporary one does not), imports a changed feed through the feed
 * importer and records the run. Failures back off exponentially with jitter, honour
 * Retry-After, and disable the source after `maxFailures` in a row (or at once on 410 Gone).
 */
export function createSourcePoller (repo: SourcesRepository, importFeed: ImportFeed, opts: SourcePollerOptions) {
  const clock = opts.now ?? Date.now
  const random = opts.random ?? Math.random
  const timeoutMs = opts.timeoutMs ?? 10_000
  const pollMs = opts.pollMs ?? 60_000
  const batchSize = opts.batchSize ?? 4
  // Every hop's timeout and the import, with room to spare: a live poller never loses its lease.
  const leaseMs = timeoutMs * (MAX_REDIRECTS + 1) + 5 * 60_000

  async function fetchAndImport (source: SourceRow): Promise<PollResult> {
    const intervalMs = source.intervalMinutes * 60_000
    const keep = { feedUrl: source.feedUrl, etag: source.etag, lastModified: source.lastModified, enabled: true, disabledReason: null }
    const fail = (httpStatus: number | null, url: string, error: string, wait: number | null = null, gone = false): PollResult => {
      const failures = source.consecutiveFailures + 1
      const disable = gone || failures >= opts.maxFailures
      const delay = Math.max(backoffMs(failures, intervalMs, random), wait ?? 0)
      return {
        outcome: {
          ...keep,
          nextPollAt: clock() + delay,
          consecutiveFailures: failures,
          lastError: error,
          enabled: !disable,
          disabledReason: disable ? (gone ? `the feed is gone (HTTP 410): ${error}` : `${failures} failed polls in a row; the last: ${error}`) : null
        },
        httpStatus,
        url,
        seen: 0,
        created: 0,
        updated: 0,
        error
      }
    }

    const headers: Record<string, string> = { accept: FEED_ACCEPT, 'user-agent': SOURCE_USER_AGENT }
    if (source.etag !== null) headers['if-none-match'] = source.etag
    if (source.lastModified !== null) headers['if-modified-since'] = source.lastModified
    let url = source.feedUrl
    // The URL to keep: moved along while every hop so far was permanent.
    let permanent = source.feedUrl
    let allPermanent = true
    let res!: SafeResponse
    try {
      for (let hop = 0; ; hop++) {
        res = await safeRequest(url, { headers, timeoutMs, maxBytes: MAX_FEED_BYTES, allowPrivate: opts.allowPrivate, followRedirects: false, log: opts.log })
        const location = res.headers.location
        if (res.status < 300 || res.status >= 400 || res.status === 304 || location === undefined) break
        if (hop >= MAX_REDIRECTS) return fail(res.status, url, `too many redirects (more than ${MAX_REDIRECTS})`)
        url = new URL(location, url).toString()
        if (allPermanent && (res.status === 301 || res.status === 308)) permanent = url
        else allPermanent = false
      }
    } catch (err) {
      if (err instanceof TargetError || err instanceof RequestFailed) return fail(null, url, err.message)
      if (err instanceof TypeError) return fail(null, url, 'a redirect named an invalid URL')
      throw err
    }
    const moved = { feedUrl: permanent }
    if (res.status === 304) {
      return { outcome: { ...keep, ...moved, nextPollAt: clock() + intervalMs, consecutiveFailures: 0, lastError: null }, httpStatus: 304, url, seen: 0, created: 0, updated: 0, error: null }
    }
    if (res.status < 200 || res.status >= 300) {
      // 429 and 503 say when to come back; any failure may.
      const wait = retryAfterMs(res.headers['retry-after'], clock())
      return fail(res.status, url, `HTTP ${res.status}`, wait, res.status === 410)
    }
    const contentType = res.headers['content-type']
    if (contentType !== undefined && !FEED_CONTENT_TYPE.test(contentType)) return fail(res.status, url, `answered ${contentType.split(';')[0]}, not a feed`)
    let summary: ImportSummary
    try {
      summary = await importFeed(res.body, {
        contentType,
        sourceUrl: url,
        finalUrl: url,
        status: source.status,
        subscription: {
          keyPrefix: `source:${source.id}`,
          authorId: source.authorId,
          categoryIds: source.categoryIds,
          tagIds: source.tagIds,
          attribution: { name: source.attributionName, url: source.attributionUrl }
        }
      })
    } catch (err) {
      // The importer's refusal of the document (malformed XML, not a feed) is a 4xx with its reason.
      if ((err as { statusCode?: number }).statusCode === 422) return fail(res.status, url, (err as Error).message)
      throw err
    }
    const created = summary.created.posts
    const updated = summary.updated.posts
    const seen = created + updated + summary.unchanged.posts + summary.skipped.filter((s) => s.kind === 'post').length
    return {
      outcome: { ...keep, ...moved, etag: header(res, 'etag'), lastModified: header(res, 'last-modified'), nextPollAt: clock() + intervalMs, consecutiveFailures: 0, lastError: null },
      httpStatus: res.status,
      url,
      seen,
      created,
      updated,
      error: null
    }
  }

  /** Polls one leased source and records the run; false when it failed. */
  async function poll (source: SourceRow): Promise<boolean> {
    const started = clock()
    let result: PollResult
    try {
      result = await fetchAndImport(source)
    } catch (err) {
      opts.log?.error({ err, source_id: source.id }, 'source poll failed unexpectedly')
      const failures = source.consecutiveFailures + 1
      result = {
        outcome: {
          feedUrl: source.feedUrl,
          etag: source.etag,
          lastModified: source.lastModified,
          nextPollAt: clock() + backoffMs(failures, source.intervalMinutes * 60_000, random),
          consecutiveFailures: failures,
          lastError: 'an internal error (see the server log)',
          enabled: failures < opts.maxFailures,
          disabledReason: failures < opts.maxFailures ? null : `${failures} failed polls in a row`
        },
        httpStatus: null,
        url: source.feedUrl,
        seen: 0,
        created: 0,
        updated: 0,
        error: 'an internal error (see the server log)'
      }
    }
    const now = clock()
    if (result.error !== null) {
      opts.log?.warn({ source_id: source.id, url: result.url, status_code: result.httpStatus, reason: result.error, failures: result.outcome.consecutiveFailures, disabled: !result.outcome.enabled }, 'source poll failed')
    }
    if (!repo.isOpen()) return result.error === null
    const run = {
      sourceId: source.id,
      startedAt: started,
      url: result.url,
      httpStatus: result.httpStatus,
      itemsSeen: result.seen,
      itemsNew: result.created,
      itemsUpdated: result.updated,
      itemsSkipped: Math.max(0, result.seen - result.created - result.updated),
      durationMs: Math.max(0, now - started),
      error: result.error
    }
    await repo.finish(source.id, source.leaseUntil!, result.outcome, run, now)
    return result.error === null
  }

  // When the earliest source is due, read at the end of each tick (the loop asks synchronously).
  let nextDue: number | null = null

  /**
   * Polls every source due now (up to the batch size, at once); what it did. The claim is a
   * transaction of its own (on PostgreSQL one statement `FOR UPDATE SKIP LOCKED`: several
   * servers on one database never claim one source twice), each poll's record another. The
   * fetched items are imported by `importFeed` (on SQLite, synchronously: the importer is not
   * ported yet).
   */
  async function tick (): Promise<{ polled: number, failed: number }> {
    // Unknown until this tick ends: a failing tick falls back to the loop's pollMs.
    nextDue = null
    const claimed = await repo.claim(clock(), batchSize, leaseMs)
    const results = await Promise.all(claimed.map(poll))
    if (repo.isOpen()) nextDue = await repo.nextDue()
    return { polled: claimed.length, failed: results.filter((ok) => !ok).length }
  }

  const loop = createTickLoop({
    name: 'source poller',
    tick: async () => (await tick()).polled === batchSize,
    nextDue: () => nextDue,
    isOpen: () => repo.isOpen(),
    pollMs,
    clock,
    log: opts.log
  })

  return { tick, ...loop }
}
export type SourcePoller = ReturnType<typeof createSourcePoller>
