import { createTermsModule } from '../terms/index.js'
import { tagKind } from './tags-kind.js'
import { TagSchema, tagBodies } from './tags-schemas.js'

export { tagKind, type TagKind } from './tags-kind.js'
export { TagSchema, type TagInput } from './tags-schemas.js'

/** Tags under /v1/tags: public reads, writes with `write:content`. */
export default createTermsModule(tagKind, {
  prefix: '/v1/tags',
  article: 'a',
  schemas: { item: TagSchema, ...tagBodies },
  docs: { list: 'Tags sorted by name, with live post counts.', get: 'The tag with its live post count.' }
})
