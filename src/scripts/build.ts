import { build } from 'esbuild'
import { readFileSync, rmSync } from 'node:fs'
import { projectPath } from '../lib/project-root.js'
import { BUNDLE_OPTIONS, NOT_BUNDLED } from './bundle-options.js'

// The production build: dist/server.js, dist/cli.js and dist/imports-worker.js (the entry of
// an import job's worker thread, started by file name), each one ES module with our code and
// the packages it loads at start bundled in (dist/server.js only turns the compile cache on and
// imports the server's chunk, src/serve.ts) (Fastify and its plugins, Ajv, pino, typebox,
// drizzle-orm…): loading them file by file (resolving, reading package.json files, compiling
// module by module) was most of the server's start-up; bundling all of them took about 10 % off
// its CPU time to ready at 100,000 posts. These stay in node_modules: native ones
// (better-sqlite3, sharp), Swagger UI (it serves its static files from its folder), pg (not
// served yet), and those loaded on first use (src/lib/lazy.ts) or only by the importers and
// the media uploads. The banner gives the bundled CommonJS code a `require` for Node's
// built-ins, which an ES module lacks.
// Type checking is `npm run typecheck`; this only transpiles.
const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { dependencies: Record<string, string> }
const outdir = projectPath('dist')

rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: [projectPath('src/server.ts'), projectPath('src/cli.ts'), projectPath('src/imports-worker.ts')],
  outdir,
  // The demo seeder and the importers are loaded on demand into chunks of their own.
  ...BUNDLE_OPTIONS,
  external: Object.keys(pkg.dependencies).filter((name) => NOT_BUNDLED.has(name))
})
console.log(`built ${outdir}/server.js, ${outdir}/cli.js and ${outdir}/imports-worker.js`)
