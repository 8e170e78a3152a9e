import { authors, posts } from '../../db/schema.js'
import { defineTermKind } from '../terms/terms-kind.js'
import type { AuthorInput } from './authors-schemas.js'

/** Authors as a kind of term: one per post (posts.author_id); the e-mail is stored, never shown. */
export const authorKind = defineTermKind({
  name: 'author',
  plural: 'authors',
  label: 'Author',
  table: authors,
  link: { table: posts, termId: posts.authorId, postId: posts.id, many: false, fileUnder: (to) => ({ authorId: to }) },
  tree: false,
  columns: (input: AuthorInput) => ({ email: input.email, bio: input.bio, avatarUrl: input.avatar_url, website: input.website }),
  fields: (row) => ({ bio: row.bio, avatar_url: row.avatarUrl, website: row.website }),
  // Posts show their author's avatar too (AuthorRef).
  shownOnPosts: (row) => [row.slug, row.name, row.avatarUrl]
})
export type AuthorKind = typeof authorKind
