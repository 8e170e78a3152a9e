import { Type, type TObject, type TProperties, type TSchema } from 'typebox'
import { fieldsParam, sparseOf } from '../../schemas/fields.js'
import { DateTimeSchema, IdSchema, PageQuery, slugSchema } from '../../schemas/common.js'
import type { AnyTermKind } from './terms-kind.js'

// Schema builders for the three kinds: each module passes what is its own (the $id, examples,
// its fields) and gets schemas shaped like every other term's.

/** The API object of a kind, named by `$id` in the spec: id, slug, name, its own fields, post_count, times. */
export function termSchema<F extends TProperties> (o: { $id: string, description?: string, examples: { slug: string, name: string }, fields: F, postCount: string }) {
  return Type.Object({
    id: IdSchema,
    slug: Type.String({ examples: [o.examples.slug] }),
    name: Type.String({ examples: [o.examples.name] }),
    ...o.fields,
    post_count: Type.Integer({ minimum: 0, description: o.postCount }),
    created_at: DateTimeSchema,
    updated_at: DateTimeSchema
  }, { $id: o.$id, title: o.$id, ...(o.description === undefined ? {} : { description: o.description }) })
}

/** The create body (`name` needed) and the update body (any field, at least one) of a kind. */
export function termBodies<F extends TProperties> (o: { nameExample: string, fields: F, example: Record<string, unknown> }) {
  const writable = {
    name: Type.String({ minLength: 1, maxLength: 200, examples: [o.nameExample] }),
    slug: slugSchema('Made from the name when absent; an explicit slug already taken is a 409'),
    ...o.fields
  }
  return {
    create: Type.Object({ ...Type.Partial(Type.Object(writable)).properties, name: writable.name }, { additionalProperties: false, examples: [o.example] }),
    update: Type.Partial(Type.Object(writable), { additionalProperties: false, minProperties: 1 })
  }
}

/** A list's query: the page, for a tree one level of it, and the fields (`fields`) of the kind's items. */
export function termListQuery (kind: AnyTermKind, fields: readonly string[]) {
  const parent = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: `Only children of this ${kind.name} (id or slug); 0 for top-level ${kind.plural}` }))
  return Type.Object({ ...PageQuery, ...(kind.tree ? { parent } : {}), fields: fieldsParam(fields, `each ${kind.name}`) }, { additionalProperties: false })
}

/** The top-level fields of a kind's API object (what `fields` may name). */
export function termFields (item: TSchema): string[] {
  return Object.keys((item as TObject).properties)
}

/** A kind's API object read with `fields` (`SparseCategory`…): the same fields, every one optional. */
export function sparseTermSchema (item: TSchema) {
  const id = String((item as TObject & { $id?: string }).$id)
  return sparseOf(item as TObject, { $id: `Sparse${id}`, title: `Sparse${id}`, description: `${id} in a list read with \`fields\`: only the fields asked for` })
}

/** A delete's query: who takes over the posts. */
export function reassignQuery (kind: AnyTermKind) {
  return Type.Object({
    reassign: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: `Id or slug of the ${kind.name} that takes over its posts` }))
  }, { additionalProperties: false })
}
