import { Type, type Static } from 'typebox'
import { IdSchema, idOrSlugSchema } from '../../schemas/common.js'
import { termBodies, termSchema } from '../terms/terms-schemas.js'

// Categories: a tree (parent_id), several per post (post_categories, position 0 the primary).

export const CategorySchema = termSchema({
  $id: 'Category',
  examples: { slug: 'politics', name: 'Politics' },
  fields: {
    description: Type.String(),
    parent_id: Type.Union([IdSchema, Type.Null()], { description: 'The parent category, null at the top of the tree' }),
    path: Type.Array(Type.Object({ id: IdSchema, slug: Type.String(), name: Type.String() }), {
      description: 'The categories above this one, from the top of the tree down to its parent (itself excluded; empty at the top): a breadcrumb is `path` followed by the category',
      examples: [[{ id: 1, slug: 'politics', name: 'Politics' }]]
    })
  },
  postCount: 'Live posts filed directly in this category'
})
export const categoryBodies = termBodies({
  nameExample: 'Politics',
  fields: {
    description: Type.String({ maxLength: 5000 }),
    parent_id: Type.Union([idOrSlugSchema('The parent category by id or slug'), Type.Null()], { description: 'Parent category by id or slug (`1` or `"politics"`); null for the top of the tree. An unknown one or a cycle is a 422.' })
  },
  example: { name: 'Elections', parent_id: 'politics' }
})
export type CategoryInput = Static<typeof categoryBodies.update>
