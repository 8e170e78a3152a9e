import { Type, type TObject, type TProperties } from 'typebox'
import { FieldError } from '../errors.js'

// Sparse fieldsets (`?fields=id,title`), one rule for every route that takes them: a comma list
// of top-level fields of the answer's items; an unknown one (or none) is a 400 that lists the
// allowed ones. The answer is serialized with the sparse schema of the item (every field
// optional), documented beside the full one.

/** The `fields` query parameter of a route whose items have these fields. */
export function fieldsParam (allowed: readonly string[], what = 'each item') {
  return Type.Optional(Type.String({
    minLength: 1,
    maxLength: 500,
    description: `Sparse fieldset: a comma-separated list of the top-level fields of ${what} to return (an unknown one is a 400 listing these), from: ${allowed.join(', ')}`
  }))
}

/** The fields asked for, in the order of `allowed`'s checks; undefined without `fields`. */
export function parseFields<F extends string> (text: string | undefined, allowed: readonly F[]): Set<F> | undefined {
  if (text === undefined) return undefined
  const fields = new Set<F>()
  const unknown: string[] = []
  for (const raw of text.split(',')) {
    const f = raw.trim()
    if (f === '') continue
    if ((allowed as readonly string[]).includes(f)) fields.add(f as F)
    else unknown.push(f)
  }
  if (unknown.length > 0 || fields.size === 0) {
    throw new FieldError([{ in: 'query', path: 'fields', message: `unknown field(s) ${unknown.map((u) => JSON.stringify(u)).join(', ') || '(none given)'}; allowed: ${allowed.join(', ')}` }])
  }
  return fields
}

/** Only the fields asked for (all of them without `fields`). */
export function pickFields<T extends object> (item: T, fields: ReadonlySet<string> | undefined): Partial<T> {
  if (fields === undefined) return item
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    if (f in item) out[f] = (item as Record<string, unknown>)[f]
  }
  return out as Partial<T>
}

/** The sparse form of an item schema: the same fields, every one optional. */
export function sparseOf<P extends TProperties> (item: TObject<P>, options: { $id?: string, title?: string, description: string }) {
  return Type.Partial(Type.Object(item.properties), options)
}
