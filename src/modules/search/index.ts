import fp from 'fastify-plugin'
import { searchSchemas } from './search-schemas.js'

export { createSearchEngine, SEARCH_LIMITS, type SearchEngine, type SearchMeta, type SearchOptions, type SearchPage } from './search-service.js'
export { createSearchRepository, type SearchRepository } from './search-repository.js'

/**
 * The search module: full-text search is read through the post list (`GET /v1/posts?q=`), so it
 * has no routes of its own; its plugin adds the schema lists embed (SearchMeta), and the engine
 * is handed to the posts service.
 */
export default fp(async (app) => {
  for (const schema of searchSchemas) app.addSchema(schema)
}, { name: 'search' })
