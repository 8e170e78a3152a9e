import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, startupWarnings, type AppConfig } from './config.js'
import { openDatabase } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { unservedDatabaseUrl } from './db/pg/engine.js'
import { LOG_REDACT } from './plugins/security.js'
import { resolve } from 'node:path'
import { DEMO_KEY_RECIPE, demoEnv } from './lib/demo-env.js'

// The server, loaded by the process entry (server.ts) once it has turned V8's compile cache on:
// read the environment once, build, listen, and close gracefully on
// SIGINT/SIGTERM (in-flight requests finish, the database is closed). `--demo` serves
// ./data/demo.db and fills it with demo content when it is empty. WORKERS=N forks N server
// processes (node:cluster) sharing the port and the database file; the primary prepares the
// database once, then only supervises.

const demo = process.argv.includes('--demo')
// PostgreSQL is not served yet (src/db/pg/engine.ts): never fall back to the SQLite file quietly.
const unserved = unservedDatabaseUrl(process.env)
if (unserved !== null) {
  console.error(unserved)
  process.exit(1)
}
let config: AppConfig
try {
  config = loadConfig(demoEnv(process.env, demo))
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

async function prepareDatabase (): Promise<void> {
  const db = openDatabase(config.DATABASE_PATH, config.DATABASE_SYNCHRONOUS)
  try {
    runMigrations(db)
    if (demo) {
      const [{ seedDemo }, { coreOptions, createCore }] = await Promise.all([import('./demo/seed-demo.js'), import('./core.js')])
      const summary = await seedDemo(createCore(db, coreOptions(config)))
      console.log(JSON.stringify({ level: 30, msg: summary.seeded ? 'demo content created' : 'demo database already has content', ...summary, database: resolve(config.DATABASE_PATH) }))
      // The keys of this database are made by the command line with the same flag.
      console.log(JSON.stringify({ level: 30, msg: `to write, make a key for this database: ${DEMO_KEY_RECIPE}` }))
    }
  } finally {
    db.$client.close()
  }
}

async function serve (): Promise<void> {
  const app = await buildApp(config, {
    logger: { level: config.LOG_LEVEL, redact: LOG_REDACT }
  })
  // Once per start, not once per worker.
  if (cluster.isPrimary || cluster.worker?.id === 1) {
    for (const warning of startupWarnings(process.env, config)) app.log.warn({ site_url: config.SITE_URL, public_api_url: config.PUBLIC_API_URL }, warning)
  }
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing: finishing in-flight requests')
    await app.close()
  })
  await app.listen({ port: config.PORT, host: config.HOST })
}

if (config.WORKERS > 1 && cluster.isPrimary) {
  await prepareDatabase()
  for (let i = 0; i < config.WORKERS; i++) cluster.fork()
  let stopping = false
  cluster.on('exit', (worker, code) => {
    if (!stopping) {
      console.error(JSON.stringify({ level: 50, msg: 'worker died, starting another', pid: worker.process.pid, code }))
      cluster.fork()
    } else if (Object.keys(cluster.workers ?? {}).length === 0) {
      process.exit(0)
    }
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal)
    })
  }
} else {
  if (cluster.isPrimary) await prepareDatabase()
  await serve()
}
