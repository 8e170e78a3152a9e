import t from 'tap'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The committed migrations match the schema definitions: `drizzle-kit generate`, run on a copy
// of each migrations folder, finds no pending change (a column added to a schema without
// `npm run db:generate` / `npm run db:generate:pg` fails here).

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DRIZZLE_KIT = join(ROOT, 'node_modules', '.bin', 'drizzle-kit')

const ENGINES = [
  { name: 'SQLite', dialect: 'sqlite', schema: 'src/db/schema.ts', migrations: 'migrations', script: 'db:generate' },
  { name: 'PostgreSQL', dialect: 'postgresql', schema: 'src/db/pg/schema.ts', migrations: 'migrations/pg', script: 'db:generate:pg' }
]

for (const engine of ENGINES) {
  t.test(`${engine.name}: drizzle-kit generate has nothing to add`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'broadsheet-kit-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const out = join(dir, 'out')
    // Only the folder's own migrations (migrations/ also holds pg/ and the configs).
    cpSync(join(ROOT, engine.migrations, 'meta'), join(out, 'meta'), { recursive: true })
    for (const f of readdirSync(join(ROOT, engine.migrations)).filter((f) => f.endsWith('.sql'))) cpSync(join(ROOT, engine.migrations, f), join(out, f))
    // drizzle-kit reads `out` relative to the working folder.
    writeFileSync(join(dir, 'config.ts'), `export default ${JSON.stringify({ dialect: engine.dialect, schema: join(ROOT, engine.schema), out: './out', strict: true })}\n`)
    const before = readdirSync(out).sort()
    const output = execFileSync(DRIZZLE_KIT, ['generate', '--config', 'config.ts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    t.match(output, /No schema changes, nothing to migrate/, `run \`npm run ${engine.script}\` after changing ${engine.schema}`)
    t.same(readdirSync(out).sort(), before, 'no migration written')
  })
}
