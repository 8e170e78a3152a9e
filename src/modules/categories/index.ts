import { Type, type Static } from 'typebox'
import { categories, postCategories } from '../../db/schema.js'
import { IdSchema } from '../../schemas/common.js'
import { createTermsModule, defineTermKind, termBodies, termSchema } from '../terms/index.js'

// Categories: a tree (parent_id), several per post (post_categories, position 0 the primary).

export const CategorySchema = termSchema({
  $id: 'Category',
  examples: { slug: 'politics', name: 'Politics' },
  fields: {
    description: Type.String(),
    parent_id: Type.Union([IdSchema, Type.Null()], { description: 'The parent category, null at the top of the tree' })
  },
  postCount: 'Live posts filed directly in this category'
})
const bodies = termBodies({
  nameExample: 'Politics',
  fields: {
    description: Type.String({ maxLength: 5000 }),
    parent_id: Type.Union([IdSchema, Type.Null()], { description: 'Parent category; null for the top of the tree. A cycle is a 422.' })
  },
  example: { name: 'Elections', parent_id: 1 }
})
export type CategoryInput = Static<typeof bodies.update>

export const categoryKind = defineTermKind({
  name: 'category',
  plural: 'categories',
  label: 'Category',
  table: categories,
  link: { table: postCategories, termId: postCategories.categoryId, postId: postCategories.postId, many: true, fileUnder: (to) => ({ categoryId: to }) },
  tree: true,
  columns: (input: CategoryInput) => ({ description: input.description, parentId: input.parent_id }),
  fields: (row) => ({ description: row.description, parent_id: row.parentId }),
  shownOnPosts: (row) => [row.slug, row.name]
})
export type CategoryKind = typeof categoryKind

/** Categories under /v1/categories: public reads, writes with `write:content`. */
export default createTermsModule(categoryKind, {
  prefix: '/v1/categories',
  article: 'a',
  schemas: { item: CategorySchema, ...bodies },
  docs: {
    list: 'Categories sorted by name, with `parent_id` to build the tree and live post counts (posts filed directly in each).',
    get: 'The category with its live post count.'
  }
})
