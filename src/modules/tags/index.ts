import { Type, type Static } from 'typebox'
import { postTags, tags } from '../../db/schema.js'
import { createTermsModule, defineTermKind, termBodies, termSchema } from '../terms/index.js'

// Tags: flat terms, several per post (post_tags).

export const TagSchema = termSchema({
  $id: 'Tag',
  examples: { slug: 'ukraine', name: 'Ukraine' },
  fields: { description: Type.String() },
  postCount: 'Live posts with this tag'
})
const bodies = termBodies({ nameExample: 'Ukraine', fields: { description: Type.String({ maxLength: 5000 }) }, example: { name: 'Ukraine' } })
export type TagInput = Static<typeof bodies.update>

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

/** Tags under /v1/tags: public reads, writes with `write:content`. */
export default createTermsModule(tagKind, {
  prefix: '/v1/tags',
  article: 'a',
  schemas: { item: TagSchema, ...bodies },
  docs: { list: 'Tags sorted by name, with live post counts.', get: 'The tag with its live post count.' }
})
