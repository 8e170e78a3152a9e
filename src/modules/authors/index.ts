import { Type, type Static } from 'typebox'
import { authors, posts } from '../../db/schema.js'
import { createTermsModule, defineTermKind, termBodies, termSchema } from '../terms/index.js'

// Authors: one per post (posts.author_id), with a bio, an avatar and a website; their e-mail
// address is written but never shown.

const OptionalUrl = Type.Union([Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000 }), Type.Null()])

export const AuthorSchema = termSchema({
  $id: 'Author',
  description: 'An author. The e-mail address is never public.',
  examples: { slug: 'maria-lopez', name: 'Maria Lopez' },
  fields: {
    bio: Type.String(),
    avatar_url: Type.Union([Type.String(), Type.Null()]),
    website: Type.Union([Type.String(), Type.Null()])
  },
  postCount: 'Live posts by this author'
})
const bodies = termBodies({
  nameExample: 'Maria Lopez',
  fields: {
    email: Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()], { description: 'Never shown publicly' }),
    bio: Type.String({ maxLength: 5000 }),
    avatar_url: OptionalUrl,
    website: OptionalUrl
  },
  example: { name: 'Maria Lopez', bio: 'Diplomatic correspondent.' }
})
export type AuthorInput = Static<typeof bodies.update>

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

/** Authors under /v1/authors: public reads (never an e-mail), writes with `write:content`. */
export default createTermsModule(authorKind, {
  prefix: '/v1/authors',
  article: 'an',
  schemas: { item: AuthorSchema, ...bodies },
  docs: { list: 'Authors sorted by name, with live post counts.', get: 'The author with their live post count; never an e-mail.' }
})
