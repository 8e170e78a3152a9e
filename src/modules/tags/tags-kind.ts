import { postTags, tags } from '../../db/schema.js'
import { defineTermKind } from '../terms/terms-kind.js'
import type { TagInput } from './tags-schemas.js'

/** Tags as a kind of term: flat, several per post (post_tags). */
export const tagKind = defineTermKind({
  name: 'tag',
  plural: 'tags',
  label: 'Tag',
  table: tags,
  link: { table: postTags, termId: postTags.tagId, postId: postTags.postId, many: true, fileUnder: (to) => ({ tagId: to }) },
  tree: false,
  columns: (input: TagInput) => ({ description: input.description }),
  fields: (row) => ({ description: row.description }),
  shownOnPosts: (row) => [row.slug, row.name]
})
export type TagKind = typeof tagKind
