import { createTermsModule } from '../terms/index.js'
import { categoryKind } from './categories-kind.js'
import { CategorySchema, categoryBodies } from './categories-schemas.js'

export { categoryKind, type CategoryKind } from './categories-kind.js'
export { CategorySchema, type CategoryInput } from './categories-schemas.js'

/** Categories under /v1/categories: public reads, writes with `write:content`. */
export default createTermsModule(categoryKind, {
  prefix: '/v1/categories',
  article: 'a',
  schemas: { item: CategorySchema, ...categoryBodies },
  docs: {
    list: 'Categories sorted by name, with `parent_id` to build the tree and live post counts (posts filed directly in each).',
    get: 'The category with its live post count.'
  }
})
