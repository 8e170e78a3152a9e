import { Type, type Static } from 'typebox'
import { termBodies, termSchema } from '../terms/terms-schemas.js'

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
export const authorBodies = termBodies({
  nameExample: 'Maria Lopez',
  fields: {
    email: Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()], { description: 'Never shown publicly' }),
    bio: Type.String({ maxLength: 5000 }),
    avatar_url: OptionalUrl,
    website: OptionalUrl
  },
  example: { name: 'Maria Lopez', bio: 'Diplomatic correspondent.' }
})
export type AuthorInput = Static<typeof authorBodies.update>
