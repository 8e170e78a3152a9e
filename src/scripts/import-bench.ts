import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'
import { loadConfig } from '../config.js'
import { coreOptions, createCore } from '../core.js'
import { generateWxr } from './gen-wxr.js'

// Streams a generated WordPress export of SIZE MB (default 50) through the importer into a
// temporary database file and reports items per second and peak memory. Memory is sampled
// every 25 ms; `maxRSS` from the kernel is the true peak.
//
//   node --expose-gc --import tsx src/scripts/import-bench.ts [SIZE_MB]

/** Runs the benchmark; returns the figures it prints. */
export async function importBench (sizeMb: number) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-import-'))
  try {
    const file = join(dir, 'export.xml')
    const generated = await generateWxr(file, sizeMb * 1024 * 1024)
    const db = openDatabase(join(dir, 'bench.db'))
    runMigrations(db)
    const importer = createCore(db, coreOptions(loadConfig({}))).writes.imports
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    const baseline = process.memoryUsage()
    let peakRss = baseline.rss
    let peakHeap = baseline.heapUsed
    const sampler = setInterval(() => {
      const m = process.memoryUsage()
      peakRss = Math.max(peakRss, m.rss)
      peakHeap = Math.max(peakHeap, m.heapUsed)
    }, 25)
    const started = process.hrtime.bigint()
    const summary = await importer.wxr(createReadStream(file))
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    clearInterval(sampler)
    gc?.()
    const retained = process.memoryUsage().heapUsed
    const items = summary.created.posts + summary.created.comments
    const result = {
      file_mb: +(statSync(file).size / 1048576).toFixed(1),
      posts: summary.created.posts,
      comments: summary.created.comments,
      ignored: summary.ignored,
      skipped: summary.skipped.length,
      seconds: +seconds.toFixed(1),
      posts_per_second: Math.round(summary.created.posts / seconds),
      items_per_second: Math.round(items / seconds),
      mb_per_second: +(statSync(file).size / 1048576 / seconds).toFixed(2),
      baseline_rss_mb: Math.round(baseline.rss / 1048576),
      peak_rss_mb: Math.round(peakRss / 1048576),
      peak_heap_mb: Math.round(peakHeap / 1048576),
      heap_after_gc_mb: gc ? Math.round(retained / 1048576) : null,
      baseline_heap_mb: Math.round(baseline.heapUsed / 1048576),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      expected_posts: generated.posts
    }
    db.$client.close()
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = Number(process.argv[2] ?? 50)
  console.log(JSON.stringify(await importBench(size), null, 2))
}
