import type { Db } from '../client.js'
import { openPg, runPgMigrations } from './client.js'
import { isPostgresUrl } from './engine.js'
import { TargetNotEmptyError, copySqliteToPg, formatCopyReport } from './copy.js'

/** `migrate-to DATABASE_URL`: migrate the target, copy, print the per-table report. Returns the exit code. */
export async function migrateTo (source: Db, url: string | undefined): Promise<number> {
  if (url === undefined || url === '') {
    console.error('migrate-to needs the PostgreSQL database: npm run cli -- migrate-to postgres://user:password@host:5432/database (or set DATABASE_URL)')
    return 2
  }
  if (!isPostgresUrl(url)) {
    console.error(`migrate-to copies into PostgreSQL: "${redact(url)}" is not a postgres:// or postgresql:// URL`)
    return 2
  }
  console.error(`target: ${redact(url)}`)
  const applied = await runPgMigrations(url)
  console.error(applied > 0 ? `applied ${applied} PostgreSQL migration(s)` : 'the target schema is up to date')
  const target = openPg(url, { max: 2 })
  try {
    const report = await copySqliteToPg(source, target, { onTable: (table, rows) => { console.error(`copied ${table}: ${rows} rows`) } })
    console.log(formatCopyReport(report))
    if (!report.ok) {
      console.error(`verification FAILED for ${report.tables.filter((r) => !r.ok).map((r) => r.table).join(', ')}: the copy does not match the source`)
      return 1
    }
    console.log(`copied and verified ${report.rows} rows in ${report.tables.length} tables in ${report.ms} ms.`)
    console.log('Not copied: the read model (search index, related posts, stored documents), which the server rebuilds; ' +
      'the commenter-address key file (DATABASE_PATH.key) and the media files (MEDIA_PATH), which are files: move them with the site.')
    return 0
  } catch (err) {
    if (err instanceof TargetNotEmptyError) {
      console.error(err.message)
      return 2
    }
    throw err
  } finally {
    await target.$client.end()
  }
}

/** The URL without its password, for messages. */
function redact (url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(an unparsable URL)'
  }
}
