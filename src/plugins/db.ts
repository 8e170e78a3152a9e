import fp from 'fastify-plugin'
import { openDatabase, type Db } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'
import { createContentVersion, type ContentVersion } from '../db/content-version.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** What cached public data is keyed by: changes whenever public content may have. */
    contentVersion: ContentVersion
  }
}

/** Opens the database, applies migrations, and closes it when the app closes. */
export default fp<{ path: string, db?: Db }>(async (app, opts) => {
  const db = opts.db ?? openDatabase(opts.path)
  runMigrations(db)
  app.decorate('db', db)
  app.decorate('contentVersion', createContentVersion(db))
  app.addHook('onClose', async () => {
    if (db.$client.open) db.$client.close()
  })
}, { name: 'db' })
