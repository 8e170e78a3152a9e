import fp from 'fastify-plugin'
import { openDatabase, type Db, type Synchronous } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

export interface DbPluginOptions {
  /** DATABASE_PATH, opened when `db` is not given. */
  path: string
  /** DATABASE_SYNCHRONOUS. */
  synchronous?: Synchronous
  /** An already-open database (tests and scripts); it is closed with the app all the same. */
  db?: Db
}

/**
 * Opens the database, applies migrations, decorates `app.db`, and closes it when the app closes.
 * Register it first: onClose hooks run last-registered first, so everything built on the
 * database (the core's workers) has stopped before it closes.
 */
export default fp<DbPluginOptions>(async (app, opts) => {
  const db = opts.db ?? openDatabase(opts.path, opts.synchronous)
  runMigrations(db)
  app.decorate('db', db)
  app.addHook('onClose', async () => {
    if (db.$client.open) db.$client.close()
  })
}, { name: 'db' })
