import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

// The process entry: read the environment once, build, listen, and close gracefully on
// SIGINT/SIGTERM (in-flight requests finish, the database is closed). `--demo` serves
// ./data/demo.db and fills it with demo content when it is empty.

const demo = process.argv.includes('--demo')
let config
try {
  const env = { ...process.env }
  if (demo && !env.DATABASE_PATH) env.DATABASE_PATH = './data/demo.db'
  config = loadConfig(env)
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

const app = await buildApp(config, {
  logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] }
})

if (demo) {
  const { seedDemo } = await import('./demo/seed-demo.js')
  const summary = seedDemo(app.db)
  app.log.info(summary, summary.seeded ? 'demo content created' : 'demo database already has content')
}

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error')
  else app.log.info({ signal }, 'closing: finishing in-flight requests')
  await app.close()
})

await app.listen({ port: config.PORT, host: config.HOST })
