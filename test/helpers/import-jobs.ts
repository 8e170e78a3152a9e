import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, adminAuth } from '../helper.js'
import { generateWxr } from '../../src/scripts/gen-wxr.js'

/** What the import-job tests share (test/modules/imports/imports-jobs*.test.ts). */
export type App = Awaited<ReturnType<typeof buildTestApp>>
export type Test = Parameters<typeof buildTestApp>[0]
export interface Job { id: number, status: string, cancel_requested: boolean, progress: { items_read: number, items_total: number | null, bytes_read: number, bytes_total: number }, summary: { created: Record<string, number>, updated: Record<string, number>, unchanged: Record<string, number>, warnings: string[] }, error: { code: string, message: string } | null, started_at: string | null, finished_at: string | null }

/**
 * Uploads are spooled under TMPDIR: this points it at a folder of the test file's own, removed at
 * its end, and answers a function listing the spooled bodies, so a test can see each one removed.
 */
export function spoolInto (t: Test): () => string[] {
  const spoolDir = mkdtempSync(join(tmpdir(), 'broadsheet-jobs-test-'))
  process.env.TMPDIR = spoolDir
  t.teardown(() => rmSync(spoolDir, { recursive: true, force: true }))
  return () => readdirSync(spoolDir).filter((d) => d.startsWith('broadsheet-import-'))
}

export const BLOG = readFileSync(new URL('../fixtures/wxr/blog-1.1.xml', import.meta.url))
export const xml = { ...adminAuth, 'content-type': 'application/xml' }

/** A database file of its own: imports then run on a worker thread, as in production. */
export function fileDb (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-jobs-db-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'jobs.db')
}

/** A generated export of about `mb` megabytes, made once per size. */
const exports = new Map<number, Promise<{ file: string, posts: number, comments: number }>>()
export function bigExport (mb: number) {
  let made = exports.get(mb)
  if (made === undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'broadsheet-jobs-wxr-')), 'export.xml')
    made = generateWxr(file, mb * 1024 * 1024, { bodyBytes: 3000, commentsPerPost: 2 }).then((g) => ({ file, posts: g.posts, comments: g.comments }))
    exports.set(mb, made)
  }
  return made
}

export async function upload (app: App, body: Buffer | string, headers: Record<string, string> = {}) {
  return await app.inject({ method: 'POST', url: '/v1/imports/wxr', headers: { ...xml, ...headers }, payload: body })
}

export async function job (app: App, id: number): Promise<Job> {
  return (await app.inject({ url: `/v1/imports/${id}`, headers: adminAuth })).json().data as Job
}

export async function ended (app: App, id: number, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const j = await job(app, id)
    if (j.status !== 'queued' && j.status !== 'running') return j
    if (Date.now() > deadline) throw new Error(`job ${id} still ${j.status}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export function count (app: App, sql: string): number {
  return app.db.$client.prepare(sql).pluck().get() as number
}
