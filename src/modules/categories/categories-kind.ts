import { categories, postCategories } from '../../db/schema.js'
import { defineTermKind } from '../terms/terms-kind.js'
import type { CategoryInput } from './categories-schemas.js'

/** The terms service turns a parent's slug into its id before it asks for the columns. */
function resolvedParent (parent: CategoryInput['parent_id']): number | null | undefined {
  if (typeof parent === 'string') throw new Error(`parent_id "${parent}" was not resolved to an id`)
  return parent
}

/** Categories as a kind of term: a tree (parent_id), several per post (post_categories, position 0 the primary). */
export const categoryKind = defineTermKind({
  name: 'category',
  plural: 'categories',
  label: 'Category',
  table: categories,
  link: { table: postCategories, termId: postCategories.categoryId, postId: postCategories.postId, many: true, fileUnder: (to) => ({ categoryId: to }) },
  tree: true,
  columns: (input: CategoryInput) => ({ description: input.description, parentId: resolvedParent(input.parent_id) }),
  fields: (row) => ({ description: row.description, parent_id: row.parentId }),
  // Posts embed a category with its parent and its ancestors' names (CategoryRef.path).
  shownOnPosts: (row) => [row.slug, row.name, row.parentId]
})
export type CategoryKind = typeof categoryKind
