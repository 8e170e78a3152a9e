import { AsyncLocalStorage } from 'node:async_hooks'
import { sql } from 'drizzle-orm'
import { SqliteTransactionPreemptedError, createSqliteTransactor } from './async-transaction.js'
import type { ContentChange, ChangeBus } from './change-bus.js'
import type { Db } from './client.js'
import type { EngineTx } from './engine-port.js'
import type { Invalidations } from './invalidations.js'
import type { PgDb } from './pg/client.js'
import type { PgChangeBus, PgWriter } from './pg/write.js'
import type { PgTransactionOptions, PgTx } from './pg/transaction.js'
import type { Emit, KeysOf, SyncWriteGate } from './write.js'

// The engine-neutral write (issue 20; the design is src/db/engine-port.ts §2–3): a ported
// service writes `await write(async (tx, emit, now) => { await repo.update(tx, …); emit(…) })`
// and the same code runs on both engines.
//
// - SQLite: one IMMEDIATE transaction through the connection's async transactor (tripwire,
//   queue, savepoints: src/db/async-transaction.ts). Today's bus semantics are kept exactly:
//   each emitted change reaches the (synchronous) bus listeners at once, inside the
//   transaction; then the settle listeners run, the write's surrogate keys are recorded as its
//   `invalidations` row, COMMIT, and only then this process applies the keys and the bus's
//   after-commit listeners hear the changes. The synchronous writer of the modules not yet
//   ported (src/db/write.ts) shares the connection through `gate`: a synchronous write called
//   inside an async one joins it as a savepoint; one called from another context rolls the
//   open async transaction back, runs alone, and the async write is run again after it.
// - PostgreSQL: a retried transaction (createPgWriter over withPgTransaction): the changes are
//   collected per attempt; once the function has resolved the bus listeners run on `tx` in emit
//   order (they answer Promises), then the settle listeners; the keys are recorded with this
//   server's origin (NOTIFY at commit), and this process is told after COMMIT. Its writer
//   (src/db/pg/write.ts, with the pg driver and drizzle's node-postgres) is imported by the
//   first write, so a server on SQLite never loads them.
//
// Both: a write inside a write (the same async context) is a savepoint of it; its changes join
// the outer write's when it succeeds and are dropped with it when it fails. The function may be
// run more than once (a PostgreSQL deadlock, a SQLite preemption): it must touch the database
// only through `tx` and the repositories, and keep other side effects for after the write.

/** A write's function: `tx` is the only handle that writes, `emit` announces a change, `now` is the write's time. */
export type WriteFn<T> = (tx: EngineTx, emit: Emit, now: number) => Promise<T>
/** Runs `fn` as one transaction of the engine; resolves after COMMIT and after this process was told. */
export type EngineWrite = <T>(fn: WriteFn<T>) => Promise<T>

export type EngineWriterOptions =
  | { engine: 'sqlite', db: Db, bus: ChangeBus, invalidations: Invalidations, keysOf: KeysOf }
  | {
    engine: 'postgres'
    db: PgDb
    bus: PgChangeBus
    keysOf: KeysOf
    /** This server's origin: its own invalidation notifications are skipped (src/db/pg/notify.ts). */
    origin: string
    /** Told the keys after COMMIT (src/db/pg/invalidations.ts's `committed`). */
    invalidations?: { committed: (keys: readonly string[]) => void }
    transaction?: PgTransactionOptions
  }

export interface EngineWriter {
  write: EngineWrite
  /** SQLite: what the synchronous writer of the same connection is given (createWriter's `gate`). */
  gate?: SyncWriteGate
}

/** How many times a SQLite write rolled back by synchronous writes is tried in all. */
const SQLITE_ATTEMPTS = 5

/**
 * One level of an open write: its changes so far, its time, its handle, and how the changes of
 * a write nested in it that succeeded become its own (`adopt`).
 */
interface Level { changes: ContentChange[], now: number, depth: number, live: boolean, tx: EngineTx, adopt: (changes: readonly ContentChange[]) => void }

function level (now: number, depth: number, tx: EngineTx, adopt?: (changes: readonly ContentChange[]) => void): Level {
  const changes: ContentChange[] = []
  return { changes, now, depth, live: true, tx, adopt: adopt ?? ((more) => { changes.push(...more) }) }
}

/** Builds the engine-neutral `write` over a SQLite connection or a PostgreSQL pool. */
export function createEngineWriter (opts: EngineWriterOptions): EngineWriter {
  return opts.engine === 'sqlite' ? onSqlite(opts) : onPostgres(opts)
}

function onSqlite (opts: Extract<EngineWriterOptions, { engine: 'sqlite' }>): EngineWriter {
  const { db, bus, invalidations, keysOf } = opts
  const transaction = createSqliteTransactor(db)
  const tx: EngineTx = { engine: 'sqlite', db }
  const levels = new AsyncLocalStorage<Level>()

  const emitter = (level: Level): Emit => (change) => {
    level.changes.push(change)
    bus.emit(change, level.now)
  }

  async function nested<T> (parent: Level, fn: WriteFn<T>): Promise<T> {
    const own = level(parent.now, parent.depth + 1, tx)
    try {
      const result = await transaction(async () => await levels.run(own, async () => await fn(tx, emitter(own), own.now)))
      parent.adopt(own.changes)
      return result
    } finally {
      own.live = false
    }
  }

  async function attempt<T> (fn: WriteFn<T>): Promise<T> {
    let done: Level | undefined
    let keys: string[] = []
    const result = await transaction(async () => {
      // Taken under the write lock, so times in the change log follow commit order.
      const now = Date.now()
      const own = level(now, 0, tx)
      done = own
      try {
        const value = await levels.run(own, async () => await fn(tx, emitter(own), now))
        bus.settle(own.changes, now)
        keys = keysOf(own.changes, now)
        invalidations.record(keys, now)
        return value
      } finally {
        own.live = false
      }
    })
    invalidations.committed(keys)
    bus.committed(done!.changes)
    return result
  }

  async function write<T> (fn: WriteFn<T>): Promise<T> {
    const parent = levels.getStore()
    if (parent?.live === true) return await nested(parent, fn)
    for (let n = 1; ; n++) {
      try {
        return await attempt(fn)
      } catch (error) {
        if (!(error instanceof SqliteTransactionPreemptedError) || n >= SQLITE_ATTEMPTS) throw error
      }
    }
  }

  const gate: SyncWriteGate = {
    joining () {
      const open = levels.getStore()
      return open?.live === true ? open : undefined
    },
    exclusive (run) {
      // A transaction opened through the transactor directly, in this context: a savepoint of it.
      if (transaction.inside()) return run()
      const { quarantined } = transaction.preempt()
      if (!quarantined) return run()
      // A rolled-back function that has not settled yet keeps the connection read-only, so its
      // later statements fail instead of writing outside any transaction: lifted for this
      // synchronous write only (nothing else runs until it returns).
      db.$client.pragma('query_only = OFF')
      try {
        return run()
      } finally {
        db.$client.pragma('query_only = ON')
      }
    }
  }

  return { write, gate }
}

function onPostgres (opts: Extract<EngineWriterOptions, { engine: 'postgres' }>): EngineWriter {
  const { bus } = opts
  const levels = new AsyncLocalStorage<Level>()
  let pgWriter: Promise<PgWriter> | undefined
  const pgWrite: PgWriter = async (fn) => {
    pgWriter ??= import('./pg/write.js').then(({ createPgWriter }) => createPgWriter(opts.db, {
      keysOf: opts.keysOf,
      origin: opts.origin,
      settle: async (tx, changes, now) => { await bus.run(tx, changes, now) },
      committed: (keys, changes) => {
        opts.invalidations?.committed(keys)
        bus.committed(changes)
      },
      transaction: opts.transaction
    }))
    return await (await pgWriter)(fn)
  }

  async function nested<T> (parent: Level, fn: WriteFn<T>): Promise<T> {
    const handle = (parent.tx as Extract<EngineTx, { engine: 'postgres' }>).db
    const own = level(parent.now, parent.depth + 1, parent.tx)
    // A name per depth, from a number: no outside text reaches the statement.
    const name = sql.raw(`bs_sp${own.depth}`)
    await handle.execute(sql`savepoint ${name}`)
    try {
      const result = await levels.run(own, async () => await fn(parent.tx, (change) => { own.changes.push(change) }, own.now))
      await handle.execute(sql`release savepoint ${name}`)
      parent.adopt(own.changes)
      return result
    } catch (error) {
      await handle.execute(sql`rollback to savepoint ${name}`)
      await handle.execute(sql`release savepoint ${name}`)
      throw error
    } finally {
      own.live = false
    }
  }

  async function write<T> (fn: WriteFn<T>): Promise<T> {
    const parent = levels.getStore()
    if (parent?.live === true) return await nested(parent, fn)
    return await pgWrite(async (pgTx: PgTx, emit, now) => {
      const tx: EngineTx = { engine: 'postgres', db: pgTx }
      // The attempt's list is createPgWriter's (`emit`, afresh each attempt); a nested write's
      // changes join it when that write succeeds.
      const own = level(now, 0, tx, (more) => { for (const change of more) emit(change) })
      try {
        return await levels.run(own, async () => await fn(tx, emit, now))
      } finally {
        own.live = false
      }
    })
  }

  return { write }
}
