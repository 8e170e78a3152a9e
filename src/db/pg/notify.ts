import pg from 'pg'
import { sql } from 'drizzle-orm'
import { ALL_KEY } from '../invalidations.js'
import type { PgTx } from './transaction.js'

// Cache invalidation across API machines on PostgreSQL (issue 20): the counterpart of the
// per-turn read of the `invalidations` log that SQLite processes sharing a file do
// (src/db/invalidations.ts), with the same contract — a process learns the surrogate keys of
// every write committed by any process, and nothing of a write that rolled back. The trigger of
// migrations/pg/0007_invalidation_notify.sql sends each recorded row with NOTIFY, which
// PostgreSQL delivers at commit, in commit order, only for committed transactions; this module
// LISTENs on a connection of its own (a pooled one cannot: LISTEN belongs to a session) and
// hands the keys on. Unlike the log, a notification sent while a listener is disconnected is
// lost for it, so after a reconnect it reports `all`: every cached response is dropped, as a
// SQLite process does when rows it had not read were pruned.

/** The channel the trigger notifies on. */
export const INVALIDATION_CHANNEL = 'broadsheet_invalidations'
/** The listener connection's application_name (pg_stat_activity tells it apart). */
export const LISTENER_APPLICATION_NAME = 'broadsheet-invalidations'

/** Why keys are reported: a committed write's notification, or a reconnect after which some may have been missed. */
export type NotifiedCause = 'write' | 'gap'

/**
 * Tags the current write transaction with this process's origin (letters, digits, `-`, `_`; at
 * most 64), so its notification carries it and this process's listener skips what the writer
 * applied already. Call inside the transaction, before recording the keys.
 */
export async function setInvalidationOrigin (tx: Pick<PgTx, 'execute'>, origin: string): Promise<void> {
  await tx.execute(sql`select set_config('broadsheet.origin', ${origin}, true)`)
}

export interface NotifiedInvalidation {
  /** The writer's origin, `-` when it set none. */
  origin: string
  /** The write's time (the row's `at`), null when the payload does not say. */
  at: number | null
  keys: string[]
}

/**
 * A notification's origin, time and keys (`origin at\nkey key …`). A payload not in the
 * trigger's form (someone else notifying on the channel) is read as `all`: dropping everything
 * is always safe.
 */
export function parseInvalidationPayload (payload: string | undefined): NotifiedInvalidation {
  const newline = payload?.indexOf('\n') ?? -1
  if (payload === undefined || newline < 1) return { origin: '-', at: null, keys: [ALL_KEY] }
  const [origin, atText] = payload.slice(0, newline).split(' ')
  const at = atText !== undefined && /^\d{1,16}$/.test(atText) ? Number(atText) : null
  const keys = payload.slice(newline + 1).split(' ').filter((k) => k !== '')
  return { origin, at, keys: keys.length > 0 ? keys : [ALL_KEY] }
}

export interface PgInvalidationListenerOptions {
  url: string
  /** This process's origin (setInvalidationOrigin): notifications carrying it are skipped. */
  origin?: string
  /**
   * Told the keys of each notification of another process's committed write, with the write's
   * time (null when unknown), and `all` after a reconnect (with the time the connection was lost).
   */
  onKeys: (keys: readonly string[], cause: NotifiedCause, at: number | null) => void
  /** Told why the connection was lost, or why reconnecting failed (it keeps trying). */
  onError?: (error: Error) => void
  /** A `select 1` this often proves the connection alive (a half-open TCP connection hears nothing); 10 s. */
  heartbeatMs?: number
  /** Reconnect backoff: a random wait up to min(max, base · 2^n) after the n-th failure in a row (100 ms, 5 s). */
  reconnectBaseMs?: number
  reconnectMaxMs?: number
}

/**
 * Listens for invalidations on a dedicated connection, reconnecting with jittered backoff
 * until stopped. `start` resolves once listening (and rejects when the first connection
 * fails: a server that cannot reach its database should not start).
 */
export function createPgInvalidationListener (opts: PgInvalidationListenerOptions) {
  const heartbeatMs = opts.heartbeatMs ?? 10_000
  const base = opts.reconnectBaseMs ?? 100
  const cap = opts.reconnectMaxMs ?? 5_000
  let client: pg.Client | null = null
  let stopped = false
  let everListened = false
  let failures = 0
  // When the current connection was last known to hear: what a gap reports as its start.
  let lostAt: number | null = null
  let retry: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  const asError = (e: unknown): Error => e instanceof Error ? e : new Error(String(e))

  function received (payload: string | undefined): void {
    const { origin, at, keys } = parseInvalidationPayload(payload)
    if (opts.origin !== undefined && origin === opts.origin) return
    opts.onKeys(keys, 'write', at)
  }

  /** The connection `c` failed or ended: reconnect, unless it is not the current one or we stopped. */
  function lost (c: pg.Client, error: Error): void {
    if (client !== c) return
    client = null
    lostAt = Date.now()
    clearInterval(heartbeat)
    c.end().catch(() => {})
    if (stopped) return
    opts.onError?.(error)
    schedule()
  }

  function schedule (): void {
    if (stopped) return
    const delay = Math.round(Math.random() * Math.min(cap, base * 2 ** failures))
    failures++
    retry = setTimeout(() => {
      retry = undefined
      connect().catch((e: unknown) => {
        opts.onError?.(asError(e))
        schedule()
      })
    }, delay)
    retry.unref()
  }

  async function connect (): Promise<void> {
    const c = new pg.Client({ connectionString: opts.url, application_name: LISTENER_APPLICATION_NAME, keepAlive: true, query_timeout: heartbeatMs })
    c.on('notification', (msg) => { if (client === c && msg.channel === INVALIDATION_CHANNEL) received(msg.payload) })
    c.on('error', (e) => { lost(c, e) })
    c.on('end', () => { lost(c, new Error('the invalidation listener\'s connection ended')) })
    try {
      await c.connect()
      await c.query(`listen ${INVALIDATION_CHANNEL}`)
    } catch (e) {
      c.end().catch(() => {})
      throw e
    }
    if (stopped) {
      await c.end()
      return
    }
    client = c
    failures = 0
    heartbeat = setInterval(() => {
      c.query('select 1').catch((e: unknown) => { lost(c, asError(e)) })
    }, heartbeatMs)
    heartbeat.unref()
    // Listening again: writes committed while away were not heard. Reported after LISTEN, so
    // nothing falls between the two.
    if (everListened) opts.onKeys([ALL_KEY], 'gap', lostAt)
    everListened = true
  }

  return {
    /** Connects and listens; rejects when the first connection fails. */
    async start (): Promise<void> {
      stopped = false
      await connect()
    },

    /** Whether it is listening now (false while reconnecting). */
    listening (): boolean {
      return client !== null
    },

    async stop (): Promise<void> {
      stopped = true
      clearTimeout(retry)
      clearInterval(heartbeat)
      const c = client
      client = null
      if (c !== null) await c.end()
    }
  }
}
export type PgInvalidationListener = ReturnType<typeof createPgInvalidationListener>
