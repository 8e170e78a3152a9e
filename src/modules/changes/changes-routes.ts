import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemResponses } from '../../schemas/common.js'
import { InvalidCursor } from '../../errors.js'
import { decodeCursor, encodeCursor } from '../../lib/cursor.js'
import type { ChangeLogReads } from './changes-repository.js'
import { CHANGES_KEY } from '../cache-keys.js'
import { toChange } from './changes-mapper.js'
import { ChangeListSchema, ListChangesQuery } from './changes-schemas.js'

/** GET /v1/changes: the ordered log of public changes, for mirrors. */
const changesRoutes: FastifyPluginAsyncTypebox<{ repo: ChangeLogReads }> = async (app, { repo }) => {
  app.get('/', {
    config: { publicCache: true, cacheKeys: [CHANGES_KEY] },
    schema: {
      operationId: 'listChanges',
      tags: ['Changes'],
      summary: 'Follow the change log',
      description: 'Every public change in order, oldest first. Start without `since`, store `meta.next_cursor`, and call again with it: ' +
        'fetch each `upsert`, drop each `delete`, and your copy is exactly the public content. A post that is unpublished, archived or deleted appears as a delete; ' +
        'a scheduled post appears as an upsert when it goes live. Comment entries concern approved comments; a comment change also upserts its post (comment_count). ' +
        'A category, tag or author appears only while public (once it has a live post): an upsert when it becomes public, a delete when its last live post goes.',
      querystring: ListChangesQuery,
      response: { 200: ChangeListSchema, ...problemResponses(400) }
    }
  }, async (request) => {
    let position = { at: 0, id: 0 }
    if (request.query.since !== undefined) {
      const c = decodeCursor(request.query.since)
      if (c === null || c.sort !== 'changes' || typeof c.value !== 'number') throw new InvalidCursor()
      position = { at: c.value, id: c.id }
    }
    const limit = request.query.limit ?? 100
    const { rows, next, hasMore } = await repo.after(position, limit)
    return {
      data: rows.map(toChange),
      meta: { next_cursor: encodeCursor({ sort: 'changes', value: next.at, id: next.id }), has_more: hasMore }
    }
  })
}
export default changesRoutes
