import fp from 'fastify-plugin'
import { openDatabase, type Db } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

/** Opens the database, applies migrations, and closes it when the app closes. */
export default fp<{ path: string, db?: Db }>(async (app, opts) => {
  const db = opts.db ?? openDatabase(opts.path)
  runMigrations(db)
  app.decorate('db', db)
  app.addHook('onClose', async () => {
    if (db.$client.open) db.$client.close()
  })
}, { name: 'db' })
