import type { AnyTermKind, TermRowOf } from './terms-kind.js'
import type { PathStep } from '../../lib/tree-path.js'

/** A term as the API shows it: what every term has, the kind's own fields, its live post count. */
export interface TermApi {
  id: number
  slug: string
  name: string
  post_count: number
  created_at: string
  updated_at: string
}

/** Row → API object; the kind's `fields` decide what else is shown (never an author's e-mail); a tree's terms show their `path`. */
export function toTerm<K extends AnyTermKind> (kind: K, row: TermRowOf<K>): TermApi & ReturnType<K['fields']> {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    ...kind.fields(row) as ReturnType<K['fields']>,
    ...(kind.tree ? { path: row.path ?? [] } : {}),
    post_count: row.postCount,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString()
  }
}

/** A term as webhook payloads carry it: the API's fields but the live post count (not an event of its own). */
export function toTermPayload<K extends AnyTermKind> (kind: K, row: K['table']['$inferSelect'] & { path?: PathStep[] }): Omit<TermApi, 'post_count'> & ReturnType<K['fields']> {
  const { post_count: _count, ...term } = toTerm(kind, { ...row, postCount: 0 } as TermRowOf<K>)
  return term as Omit<TermApi, 'post_count'> & ReturnType<K['fields']>
}
