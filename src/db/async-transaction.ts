import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import type { Db } from './client.js'

// Async write transactions on SQLite, for the engine-neutral repositories (issue 20; the design
// is in src/db/engine-port.ts). A ported service writes `await transaction(async () => { await
// repo.insert(…); await repo.update(…) })` on both engines. On SQLite every repository method
// runs its statement synchronously and answers a settled Promise, so the function still runs
// to its end within the microtasks that follow the call: one macrotask, as today's synchronous
// better-sqlite3 transaction. What must not happen is a transaction awaiting real I/O (a fetch, a
// timer, a file) while it holds the file's write lock, which every process on the file waits
// for. This is enforced here, not left to review:
//
// - a `setImmediate` tripwire is armed at BEGIN IMMEDIATE. It runs after the microtasks of the
//   current macrotask; if the transaction is still open then, its function awaited something
//   else. The transaction is rolled back at once (the lock is released, other processes write
//   on), the connection is made read-only (`PRAGMA query_only`) until the function settles, so
//   its later statements fail instead of writing outside any transaction, and the call rejects
//   with SqliteTransactionAwaitedError — nothing it did is kept;
// - a second transaction started while one is open waits for it (a Promise queue): this
//   process's writes stay one at a time, as the write lock makes them across processes;
// - a transaction started inside one (known by AsyncLocalStorage, not by timing) is a savepoint
//   of it, as today's nested db.transaction;
// - a synchronous write (src/db/write.ts, for the modules not yet ported) cannot wait: when one
//   runs while an async transaction of another context is open (code resumed among that
//   transaction's microtasks), it would otherwise become a savepoint of it and commit or roll
//   back with it. It calls `preempt()` first: the open transaction is rolled back as by the
//   tripwire and its function rejects with SqliteTransactionPreemptedError once it settles, so
//   the engine writer (src/db/engine-write.ts) runs it again after the synchronous write, as
//   PostgreSQL's writer runs a transaction again after a deadlock. One transactor per
//   connection (`createSqliteTransactor(db)` answers the same one), so its queue is the
//   connection's.
//
// Not yet here (the design's next step): a read-only second connection for reads not given the
// transaction, so a request whose continuation runs among a transaction's microtasks cannot
// read its uncommitted rows.

/** The transaction's function awaited something other than its own statements. */
export class SqliteTransactionAwaitedError extends Error {
  constructor () {
    super('a SQLite write transaction awaited something other than its own statements (I/O, a timer) while holding the write lock; it was rolled back and nothing was written')
    this.name = 'SqliteTransactionAwaitedError'
  }
}

/**
 * A synchronous write ran while this transaction was open in another context: it was rolled
 * back (nothing of it kept) so that write could run alone; the writer runs it again.
 */
export class SqliteTransactionPreemptedError extends Error {
  constructor () {
    super('a SQLite write transaction was rolled back so that a synchronous write could run; nothing of it was written (it is run again)')
    this.name = 'SqliteTransactionPreemptedError'
  }
}

/** An open transaction (depth 0) or savepoint; `state` is shared by all of one transaction's levels. */
interface Open { depth: number, state: { tripped: boolean, preempted: boolean } }

const transactors = new WeakMap<Db, ReturnType<typeof makeTransactor>>()

/** The async transaction runner over one SQLite connection: the same one for every call with that connection. */
export function createSqliteTransactor (db: Db) {
  let transactor = transactors.get(db)
  if (transactor === undefined) {
    transactor = makeTransactor(db)
    transactors.set(db, transactor)
  }
  return transactor
}

function makeTransactor (db: Db) {
  const client: Database.Database = db.$client
  const statements = new Map<string, Database.Statement>()
  const run = (text: string) => {
    let statement = statements.get(text)
    if (statement === undefined) {
      statement = client.prepare(text)
      statements.set(text, statement)
    }
    statement.run()
  }
  const context = new AsyncLocalStorage<Open>()
  // The end of the last transaction queued: the next one starts after it.
  let queue: Promise<unknown> = Promise.resolve()
  // The outermost transaction whose function has not settled yet (open, or rolled back by the
  // tripwire or a preemption and waiting for its function to settle), or null.
  let current: Open | null = null

  async function nested<T> (open: Open, fn: () => Promise<T>): Promise<T> {
    if (open.state.tripped) throw open.state.preempted ? new SqliteTransactionPreemptedError() : new SqliteTransactionAwaitedError()
    const name = `bs_sp${open.depth + 1}`
    run(`SAVEPOINT ${name}`)
    try {
      const result = await context.run({ depth: open.depth + 1, state: open.state }, fn)
      if (!open.state.tripped) run(`RELEASE ${name}`)
      return result
    } catch (error) {
      if (!open.state.tripped) {
        run(`ROLLBACK TO ${name}`)
        run(`RELEASE ${name}`)
      }
      throw error
    }
  }

  async function outermost<T> (fn: () => Promise<T>): Promise<T> {
    const open: Open = { depth: 0, state: { tripped: false, preempted: false } }
    run('BEGIN IMMEDIATE')
    current = open
    const tripwire = setImmediate(() => {
      if (open.state.tripped || !client.inTransaction) return
      open.state.tripped = true
      run('ROLLBACK')
      client.pragma('query_only = ON')
    })
    let result: T
    try {
      result = await context.run(open, fn)
    } catch (error) {
      current = null
      clearImmediate(tripwire)
      if (open.state.tripped) throw ended(open)
      if (client.inTransaction) run('ROLLBACK')
      throw error
    }
    current = null
    clearImmediate(tripwire)
    if (open.state.tripped) throw ended(open)
    run('COMMIT')
    return result
  }

  /** A tripped transaction's function settled: the connection writes again; the error to answer. */
  function ended (open: Open): Error {
    client.pragma('query_only = OFF')
    return open.state.preempted ? new SqliteTransactionPreemptedError() : new SqliteTransactionAwaitedError()
  }

  /**
   * Runs `fn` as one IMMEDIATE transaction (a savepoint when called inside one), committing when
   * it resolves, rolling back when it rejects or when it awaited anything but its own
   * statements (then SqliteTransactionAwaitedError).
   */
  async function transaction<T> (fn: () => Promise<T>): Promise<T> {
    const open = context.getStore()
    if (open !== undefined) return await nested(open, fn)
    const turn = queue.then(async () => await outermost(fn))
    queue = turn.catch(() => {})
    return await turn
  }

  return Object.assign(transaction, {
    /** Whether the caller runs inside this connection's open (or tripped, not yet settled) transaction. */
    inside (): boolean {
      const open = context.getStore()
      return open !== undefined && open.state === current?.state
    },

    /**
     * Whether a transaction of this connection is open now (or rolled back and refusing
     * writes until its function settles): a statement run now outside it would join it (and
     * commit or roll back with it) or be refused. A write of its own that must not join another
     * context's (an API key's quota count or last use, src/modules/keys) waits for `idle` first.
     */
    busy (): boolean {
      return current !== null
    },

    /** Settles once the transactions queued so far have ended (committed or rolled back). */
    async idle (): Promise<void> {
      await queue
    },

    /**
     * Before a synchronous write outside any async transaction: rolls back the one open now,
     * if any (its function then rejects with SqliteTransactionPreemptedError), and answers
     * whether the connection is refusing writes (`query_only`) until a tripped function
     * settles, which the synchronous write must lift for itself and restore.
     */
    preempt (): { quarantined: boolean } {
      if (current === null) return { quarantined: false }
      if (!current.state.tripped) {
        current.state.tripped = true
        current.state.preempted = true
        run('ROLLBACK')
        client.pragma('query_only = ON')
      }
      return { quarantined: true }
    }
  })
}
export type SqliteTransactor = ReturnType<typeof createSqliteTransactor>
