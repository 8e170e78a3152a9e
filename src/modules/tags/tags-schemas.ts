import { Type, type Static } from 'typebox'
import { termBodies, termSchema } from '../terms/terms-schemas.js'

// Tags: flat terms, several per post (post_tags).

export const TagSchema = termSchema({
  $id: 'Tag',
  examples: { slug: 'ukraine', name: 'Ukraine' },
  fields: { description: Type.String() },
  postCount: 'Live posts with this tag'
})
export const tagBodies = termBodies({ nameExample: 'Ukraine', fields: { description: Type.String({ maxLength: 5000 }) }, example: { name: 'Ukraine' } })
export type TagInput = Static<typeof tagBodies.update>
