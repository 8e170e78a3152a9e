import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { seedDemo } from '../../src/demo/seed-demo.js'

export const ADMIN_TOKEN = 'client-tests-admin-token-0123456789abcdef'

/** A TCP port on 127.0.0.1 that nobody listens on right now. */
export async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * The real API (buildApp) on a temporary database file, filled with the demo newsroom,
 * listening on a real port of 127.0.0.1; closed and removed when the test ends.
 */
export async function startApi (t: Test, opts: { siteUrl?: string, env?: Record<string, string> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-client-'))
  const port = await freePort()
  const app = await buildApp(loadConfig({
    DATABASE_PATH: join(dir, 'broadsheet.db'),
    SITE_URL: opts.siteUrl ?? 'https://news.example.com',
    PUBLIC_API_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN,
    // Tests seed synchronously and run in parallel on small machines: no load shedding.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...opts.env
  }))
  t.teardown(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await app.ready()
  await seedDemo(app.core)
  await app.listen({ port, host: '127.0.0.1' })
  return { app, url: `http://127.0.0.1:${port}` }
}
