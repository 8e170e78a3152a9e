import { sql, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'

/**
 * A named placeholder bound through a column's encoder, as a literal value would be (a boolean
 * column gets 1 or 0, a JSON column its text): for the `set()` of a prepared UPDATE, where
 * Drizzle's types take no placeholder though its runtime does.
 */
export function placeholderOf<C extends AnySQLiteColumn> (column: C, name: string): SQL<C['_']['data']> {
  return sql`${sql.param(sql.placeholder(name), column as never)}`
}
