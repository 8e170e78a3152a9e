#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig, ConfigError, type AppConfig } from './config.js'
import { openDatabase, type Db } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { clientHashKeyPath } from './db/client-hash-key.js'
import { isPostgresUrl, unservedDatabaseUrl } from './db/pg/engine.js'
import { pgBackupAnswer } from './db/pg/backup.js'
import { API_SCOPES, type ApiScope } from './db/schema.js'
import { hashKey } from './lib/key-hash.js'
import { demoEnv } from './lib/demo-env.js'
import type { CoreLog, CoreOptions, Core } from './core.js'
import { KEY_PREFIX_LENGTH, type KeyRow } from './modules/keys/keys-repository.js'

const USAGE = `Usage: npm run cli -- [--demo] <command>

  keys create --name NAME --scopes a,b   create an API key (printed once); scopes: ${API_SCOPES.join(', ')}
  keys list                              list keys (never the keys themselves)
  keys revoke ID|PREFIX                  revoke a key at once: its id, or the prefix keys list shows (bs_xxxxx)
  import wxr FILE                        import a WordPress export (WXR)
  import feed FILE|URL [--status S]      import an RSS/Atom/JSON feed (posts are drafts unless --status published)
  export wxr FILE                        write the whole site as a WordPress export (WXR 1.2); FILE - is stdout
  backup FILE                            write an online, consistent copy of the database to FILE
                                         (not the commenter-address key file DATABASE_PATH.key); with a
                                         PostgreSQL DATABASE_URL, prints the pg_dump command instead (exit 2)
  migrate                                apply pending migrations
  seed-demo                              fill an empty database with the demo content
  rebuild                                build the read model (stored posts, feed items, comments) afresh
  migrate-to [DATABASE_URL]              copy the whole site into an empty PostgreSQL database (migrated first),
                                         then verify every table by row count and content hash; the URL
                                         defaults to DATABASE_URL (README "PostgreSQL (in progress)")

The database is DATABASE_PATH (default ./data/broadsheet.db); --demo uses ./data/demo.db, the database
of \`npm run demo\`, unless DATABASE_PATH is set (the server's rule). Every command says which file it opened.`

function fail (message: string): number {
  console.error(message)
  return 2
}

const quiet = () => {}
/** Workers' messages on stderr (stdout is the command's answer); debug and info stay quiet. */
const CONSOLE_LOG: CoreLog = {
  debug: quiet,
  info: quiet,
  warn: (obj, msg) => { console.error(msg, JSON.stringify(obj)) },
  error: (obj, msg) => { console.error(msg, JSON.stringify(obj)) }
}

/**
 * The core over the CLI's database, loaded only for the commands that need it: it is most of the
 * code, and `keys`, `import`, `export` and `seed-demo` are the only ones that read or write content.
 */
async function openCore (db: Db, config: AppConfig, change: (options: CoreOptions) => CoreOptions = (o) => o): Promise<Core> {
  const { coreOptions, createCore } = await import('./core.js')
  return createCore(db, change(coreOptions(config, CONSOLE_LOG)))
}

/** Runs one CLI command; returns the exit code. */
export async function runCli (argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  // `--demo` may come anywhere before the command's own arguments end, as `npm run demo` users type it.
  const demo = argv.includes('--demo')
  const [command, ...rest] = argv.filter((a) => a !== '--demo')
  if (command === undefined || command === 'help' || command === '--help') {
    console.log(USAGE)
    return command === undefined ? 2 : 0
  }
  // A PostgreSQL database is backed up with pg_dump: said instead of copying the SQLite file.
  if (command === 'backup' && env.DATABASE_URL !== undefined && isPostgresUrl(env.DATABASE_URL)) {
    console.log(pgBackupAnswer(rest[0], env.DATABASE_URL))
    return 2
  }
  // PostgreSQL is not served yet: a command given DATABASE_URL must not quietly use the SQLite file.
  const unserved = command === 'migrate-to' ? null : unservedDatabaseUrl(env)
  if (unserved !== null) return fail(unserved)
  let config
  try {
    config = loadConfig(demoEnv(env, demo))
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message)
    throw err
  }
  // On stderr, so stdout stays the command's answer (a key, a summary) for scripts.
  console.error(`database: ${resolve(config.DATABASE_PATH)}${config.DATABASE_PATH === ':memory:' ? ' (in memory)' : ''}`)
  const db = openDatabase(config.DATABASE_PATH, config.DATABASE_SYNCHRONOUS)
  try {
    runMigrations(db)
    switch (command) {
      case 'migrate':
        console.log(`database ${config.DATABASE_PATH} is up to date`)
        return 0
      case 'keys':
        return await keys(await openCore(db, config), rest)
      case 'backup': {
        const file = rest[0]
        if (!file) return fail('backup needs a target FILE')
        await db.$client.backup(file)
        console.log(`backed up ${config.DATABASE_PATH} to ${file}`)
        const keyPath = clientHashKeyPath(db)
        // Deliberately not copied: a backup alone must not reveal commenters' addresses.
        if (keyPath !== null) console.log(`not in the backup: the commenter-address key ${keyPath}; keep it apart from backups (restoring without it starts a new key: only duplicate detection of earlier comments by address is lost)`)
        return 0
      }
      case 'import': {
        const { importCommand } = await import('./modules/imports/imports-cli.js')
        return await importCommand(rest, {
          // The job runs here, on the event loop, with a progress line on the terminal.
          jobs: async (onProgress) => (await openCore(db, config, (o) => ({ ...o, imports: { ...o.imports, inline: true, onProgress } }))).workers.imports,
          allowPrivate: config.ALLOW_PRIVATE_TARGETS
        })
      }
      case 'export': {
        const { exportCommand } = await import('./modules/export/export-cli.js')
        return await exportCommand(rest, { repo: (await openCore(db, config)).repos.export, siteUrl: config.SITE_URL })
      }
      case 'seed-demo': {
        const { seedDemo } = await import('./demo/seed-demo.js')
        const summary = await seedDemo(await openCore(db, config))
        console.log(summary.seeded ? `created ${summary.posts} posts and ${summary.comments} comments` : `the database already has ${summary.posts} posts; nothing done`)
        return 0
      }
      case 'rebuild': {
        // Readers in running processes use the rows for whatever is not rebuilt yet.
        const core = await openCore(db, config)
        const started = performance.now()
        const built = core.workers.readModel.rebuild()
        console.log(`rebuilt the read model: ${built} documents in ${Math.round(performance.now() - started)} ms`)
        return 0
      }
      case 'migrate-to': {
        const { migrateTo } = await import('./db/pg/migrate-to-cli.js')
        return await migrateTo(db, rest[0] ?? env.DATABASE_URL)
      }
      default:
        return fail(`unknown command "${command}"\n\n${USAGE}`)
    }
  } finally {
    db.$client.close()
  }
}

/**
 * The key an argument of `keys revoke` names: its id, the prefix `keys list` shows (with or
 * without its `…`), a shorter start of it, or the whole key. Else the error to print.
 */
async function findKey (repo: Core['repos']['keys'], text: string | undefined): Promise<KeyRow | string> {
  const arg = (text ?? '').trim().replace(/(…|\.\.\.)$/, '')
  if (arg === '') return 'keys revoke needs a key ID or the prefix keys list shows (bs_xxxxx)'
  if (/^\d+$/.test(arg)) return await repo.findById(Number(arg)) ?? `no key ${arg}`
  if (!arg.startsWith('bs_')) return `"${arg}" is neither a key id nor a key prefix (keys start with bs_; see keys list)`
  if (arg.length > KEY_PREFIX_LENGTH) return await repo.findByHash(hashKey(arg)) ?? `no key starts with ${arg.slice(0, KEY_PREFIX_LENGTH)}… and matches the key given`
  const matches = await repo.findByPrefix(arg)
  if (matches.length === 0) return `no key has the prefix ${arg}`
  if (matches.length > 1) return `the prefix ${arg} is ambiguous: keys ${matches.map((k) => `${k.id} (${k.prefix}…)`).join(', ')}; give the id or more of the prefix`
  return matches[0]!
}

async function keys (core: Core, args: string[]): Promise<number> {
  const repo = core.repos.keys
  const [sub, ...rest] = args
  if (sub === 'create') {
    const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, scopes: { type: 'string' } } })
    if (!values.name) return fail('keys create needs --name NAME')
    const scopes = (values.scopes ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s))
    if (scopes.length === 0 || unknown.length > 0) return fail(`--scopes must be a comma list of: ${API_SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`)
    const { row, key } = await repo.create(values.name, [...new Set(scopes)] as ApiScope[])
    console.log(`created key ${row.id} "${row.name}" with scopes ${row.scopes.join(', ')}`)
    console.log('store it now, it is not shown again:')
    console.log(key)
    return 0
  }
  if (sub === 'list') {
    const rows = await repo.list(1000, 0)
    if (rows.length === 0) console.log('no keys')
    for (const r of rows) {
      const state = r.revokedAt ? `revoked ${new Date(r.revokedAt).toISOString()}` : `last used ${r.lastUsedAt ? new Date(r.lastUsedAt).toISOString() : 'never'}`
      console.log(`${r.id}\t${r.prefix}…\t${r.name}\t${r.scopes.join(',')}\t${state}`)
    }
    return 0
  }
  if (sub === 'revoke') {
    const found = await findKey(repo, rest[0])
    if (typeof found === 'string') return fail(found)
    await repo.revoke(found.id)
    console.log(`revoked key ${found.id} (${found.prefix}…, "${found.name}")`)
    return 0
  }
  return fail('keys needs create, list or revoke')
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2))
}
