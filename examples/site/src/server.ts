import { buildSite } from './app.js'
import { loadSiteConfig } from './config.js'

// The example site's entry: read the environment, build, listen, close on SIGINT/SIGTERM.
let config
try {
  config = loadSiteConfig(process.env)
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}
const app = await buildSite({ apiUrl: config.apiUrl, publicApiUrl: config.publicApiUrl, logger: { level: process.env.LOG_LEVEL ?? 'info' } })
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'closing')
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
}
await app.listen({ port: config.port, host: config.host })
app.log.info(`example site reading ${config.apiUrl}`)
