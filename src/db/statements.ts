import { fillPlaceholders, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { Db } from './client.js'

/** Prepared statements kept by one cache at most; the least recently used is dropped first. */
export const STATEMENT_CACHE_SIZE = 200

export interface ShapeCache<T> {
  /** The statement of a shape, prepared by `build` the first time the shape is asked for. */
  (shape: string, build: () => T): T
  /** How many statements are kept now (for tests and diagnostics). */
  readonly size: number
}

/**
 * Prepared statements of a query whose filters vary (the post list: visibility, category, tag,
 * author, dates, order, cursor), one per combination, prepared when first asked for. The key is
 * the shape, never a value: id lists are one JSON parameter (`inIdList`), so the statements are
 * the same whatever their length and the set of shapes is small; the bound keeps memory flat
 * anyway (each statement holds SQLite's compiled program, some kilobytes).
 */
export function createShapeCache<T> (max = STATEMENT_CACHE_SIZE): ShapeCache<T> {
  const cache = new Map<string, T>()
  const prepared = function prepared (shape: string, build: () => T): T {
    let stmt = cache.get(shape)
    if (stmt === undefined) {
      stmt = build()
      if (cache.size >= max) cache.delete(cache.keys().next().value as string)
    } else {
      // Refresh its place in the LRU order (a Map iterates in insertion order).
      cache.delete(shape)
    }
    cache.set(shape, stmt)
    return stmt
  }
  Object.defineProperty(prepared, 'size', { get: () => cache.size })
  return prepared as ShapeCache<T>
}

/**
 * A list of ids as one bound parameter for `inIdList`: the SQL stays the same whatever the
 * list's length. Duplicates are dropped (they change nothing in an IN list but would make the
 * work grow).
 */
export function idList (ids: readonly number[]): string {
  return JSON.stringify([...new Set(ids)])
}

/** `column IN (the ids of the placeholder)`, the placeholder bound to an `idList`. */
export function inIdList (column: SQLWrapper, placeholder: string): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${sql.placeholder(placeholder)}))`
}

/**
 * A Drizzle query read row by row. Drizzle's prepared queries return whole result sets, but a
 * search reads its matches lazily and stops when the page is full or its time budget has run
 * out; this steps through the same statement with better-sqlite3's iterate(). The SQL and its
 * placeholders are Drizzle's; rows come as arrays of the selected values, in selection order.
 */
export function prepareIterator<Row extends unknown[]> (db: Db, query: { toSQL (): { sql: string, params: unknown[] } }) {
  const built = query.toSQL()
  const stmt = db.$client.prepare(built.sql).raw()
  return (values: Record<string, unknown>) => stmt.iterate(...fillPlaceholders(built.params, values)) as IterableIterator<Row>
}
