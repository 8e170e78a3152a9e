import { createTermsModule } from '../terms/index.js'
import { authorKind } from './authors-kind.js'
import { AuthorSchema, authorBodies } from './authors-schemas.js'

export { authorKind, type AuthorKind } from './authors-kind.js'
export { AuthorSchema, type AuthorInput } from './authors-schemas.js'

/** Authors under /v1/authors: public reads (never an e-mail), writes with `write:content`. */
export default createTermsModule(authorKind, {
  prefix: '/v1/authors',
  article: 'an',
  schemas: { item: AuthorSchema, ...authorBodies },
  docs: { list: 'Authors sorted by name, with live post counts.', get: 'The author with their live post count; never an e-mail.' }
})
