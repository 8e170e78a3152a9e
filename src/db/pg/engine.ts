// Which engine a process runs on (issue 20). Until the repositories are ported to PostgreSQL,
// DATABASE_URL selects nothing: a server or CLI command given one refuses to start rather than
// quietly serving the SQLite file at DATABASE_PATH, which would look like success and split the
// site in two. What exists for PostgreSQL today: the schema (src/db/pg/schema.ts, migrations/pg/)
// and `migrate-to`, which copies a SQLite site into a PostgreSQL database. Imports nothing, so
// the server's start does not load the PostgreSQL driver.

/** Whether a URL names a PostgreSQL database (postgres:// or postgresql://). */
export function isPostgresUrl (url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url)
}

/** Why this environment cannot be served (yet), or null for SQLite at DATABASE_PATH. */
export function unservedDatabaseUrl (env: Record<string, string | undefined>): string | null {
  const url = env.DATABASE_URL
  if (url === undefined || url === '') return null
  if (!isPostgresUrl(url)) return 'DATABASE_URL must be a postgres:// or postgresql:// URL (SQLite is chosen by leaving DATABASE_URL unset and setting DATABASE_PATH)'
  return 'DATABASE_URL names a PostgreSQL database, but serving from PostgreSQL is not available yet (README "PostgreSQL (in progress)"): ' +
    'what exists is its schema and migrations (migrations/pg) and `npm run cli -- migrate-to DATABASE_URL`, which copies a SQLite site into an empty PostgreSQL database and verifies it. ' +
    'Unset DATABASE_URL to serve the SQLite file at DATABASE_PATH.'
}
