import { build } from 'esbuild'
import { readFileSync, rmSync } from 'node:fs'
import { projectPath } from '../lib/project-root.js'

// The production build: dist/server.js, dist/cli.js and dist/imports-worker.js (the entry of
// an import job's worker thread, started by file name), each one ES module with our code and
// the ES-module packages made of many small files (typebox, drizzle-orm) bundled in. Loading
// those file by file was over half of the server's start-up. Every other package stays in
// node_modules (native better-sqlite3, Swagger UI's static files, CommonJS loaded lazily).
// Type checking is `npm run typecheck`; this only transpiles.
const BUNDLED = new Set(['typebox', 'drizzle-orm'])
const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { dependencies: Record<string, string> }
const outdir = projectPath('dist')

rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: [projectPath('src/server.ts'), projectPath('src/cli.ts'), projectPath('src/imports-worker.ts')],
  outdir,
  bundle: true,
  // The demo seeder and the importers are loaded on demand into chunks of their own.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  sourcemap: 'linked',
  logLevel: 'warning'
})
console.log(`built ${outdir}/server.js, ${outdir}/cli.js and ${outdir}/imports-worker.js`)
