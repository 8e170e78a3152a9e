import type { Test } from 'tap'
import { buildApp } from '../src/app.js'
import { loadConfig, type AppConfig } from '../src/config.js'
import type { ApiScope } from '../src/db/schema.js'

export const TEST_SITE_URL = 'https://news.example.com'
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef-xyz'

/** Builds an app on a fresh in-memory database and closes it when the test ends. */
export async function buildTestApp (t: Test, env: Record<string, string> = {}) {
  const config: AppConfig = loadConfig({
    DATABASE_PATH: ':memory:',
    SITE_URL: TEST_SITE_URL,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    // Tests seed data synchronously and run in parallel on small machines: a stalled event loop
    // there is not load. The load-shedding tests turn it on themselves.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env
  })
  const app = await buildApp(config)
  await app.ready()
  t.teardown(() => app.close())
  return app
}

export const adminAuth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }

/** The Authorization header of a new API key with these scopes, stored in the app's database. */
export function keyAuth (app: Awaited<ReturnType<typeof buildTestApp>>, ...scopes: ApiScope[]): { authorization: string } {
  return { authorization: `Bearer ${app.core.repos.keys.createSync('test', scopes).key}` }
}

/** An admin write through the app: its `data` (null for 204); any status of 300 or more fails the test with the answer. */
export async function adminSend (app: Awaited<ReturnType<typeof buildTestApp>>, method: string, url: string, payload?: unknown) {
  const res = await app.inject({ method: method as 'POST', url, payload: payload as Record<string, unknown>, headers: adminAuth })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.statusCode === 204 ? null : res.json().data
}
