import { authors, postAuthors, posts } from '../../db/schema.js'
import { defineTermKind } from '../terms/terms-kind.js'
import type { AuthorInput } from './authors-schemas.js'

/**
 * Authors as a kind of term: posts are filed under their primary author (posts.author_id: what
 * ?reassign= moves and a delete counts) and shown with every author (post_authors); the e-mail
 * is stored, never shown.
 */
export const authorKind = defineTermKind({
  name: 'author',
  plural: 'authors',
  label: 'Author',
  table: authors,
  link: { table: posts, termId: posts.authorId, postId: posts.id, many: false, fileUnder: (to) => ({ authorId: to }), shownBy: { table: postAuthors, termId: postAuthors.authorId, postId: postAuthors.postId } },
  tree: false,
  columns: (input: AuthorInput) => ({ email: input.email, bio: input.bio, avatarUrl: input.avatar_url, website: input.website }),
  fields: (row) => ({ bio: row.bio, avatar_url: row.avatarUrl, website: row.website }),
  // Posts show their author's avatar too (AuthorRef).
  shownOnPosts: (row) => [row.slug, row.name, row.avatarUrl]
})
export type AuthorKind = typeof authorKind
