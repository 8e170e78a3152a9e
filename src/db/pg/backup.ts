// `npm run cli -- backup` with DATABASE_URL set (issue 20): a PostgreSQL database is backed up
// with PostgreSQL's own tools, so the command answers with them instead of copying a file.
// Imports nothing: the CLI reads it before opening any database.

/** A word as a POSIX shell reads it literally. */
function shellWord (word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, '\'\\\'\'')}'`
}

/** The URL with its password hidden, for messages and logs. */
export function redactedUrl (url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(an unreadable URL)'
  }
}

/**
 * What `backup FILE` says when DATABASE_URL names PostgreSQL: the pg_dump and pg_restore
 * commands for it. The URL is written as "$DATABASE_URL", which the shell that ran the command
 * has, so no password is printed.
 */
export function pgBackupAnswer (file: string | undefined, url: string): string {
  const target = shellWord(file ?? 'broadsheet.dump')
  return [
    `DATABASE_URL names a PostgreSQL database (${redactedUrl(url)}): nothing was written. ` +
      '`backup` copies a SQLite file; PostgreSQL is backed up with its own tools:',
    '',
    `  pg_dump --format=custom --no-owner --file=${target} "$DATABASE_URL"`,
    '',
    'It reads one consistent snapshot while the servers keep serving, as the SQLite backup does (pg_dump of the server\'s major version or newer). ' +
      'Restore into an empty database, then start the servers (they apply any newer migrations):',
    '',
    `  pg_restore --no-owner --dbname="$DATABASE_URL" ${target}`,
    '',
    'Not in the database, so not in the dump: the commenter-address key file and the media files (MEDIA_PATH); copy them apart.'
  ].join('\n')
}
