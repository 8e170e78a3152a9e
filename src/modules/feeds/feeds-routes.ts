import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problemResponses } from '../../schemas/common.js'
import { feedEtag, feedFrame, feedItemHash, feedUrlsOf, renderFeedItem, type FeedChannel } from '../../lib/feeds.js'
import { PARTIAL_CACHE_CONTROL } from '../../lib/budget.js'
import type { FeedData, FeedPost, FeedsService } from './feeds-service.js'
import { toFeedChannel, toFeedItem } from './feeds-mapper.js'
import { CONDITIONAL_HELP, EXAMPLES, FeedQuery, FORMATS, URL_HELP, type Format } from './feeds-schemas.js'
import { feedKeys, POSTS_KEY, SITE_KEY } from '../cache-keys.js'

/**
 * The feed's own URL: the one GET /v1/site lists (feedUrlsOf, on PUBLIC_API_URL) with the
 * filters as the reader sent them (defaults are not added; ignored parameters neither). Never
 * from the request's Host: the response cache keys by path and query only.
 */
function feedUrl (apiUrl: string, format: Format, requestUrl: string): string {
  const sent = new URL(requestUrl, 'http://x').searchParams
  const filters = new URLSearchParams()
  for (const key of ['category', 'tag', 'author', 'limit']) {
    const value = sent.get(key)
    if (value !== null) filters.set(key, value)
  }
  const query = filters.toString()
  return feedUrlsOf(apiUrl)[format] + (query === '' ? '' : `?${query}`)
}

/** A feed document without its items, as bytes (lib/feeds.ts feedFrame), and the hash of its parts. */
interface Frame { head: Buffer, separator: Buffer, tail: Buffer, hash: string }

/** How many feed frames are kept (a few hundred bytes each: one per feed URL and date). */
const FRAMES_KEPT = 500

/** What the feed routes are given: the service that gathers a feed, and where the site and the API live. */
export interface FeedsRoutesOptions { service: Pick<FeedsService, 'load'>, apiUrl: string }

/** GET /feeds/rss.xml, /feeds/atom.xml and /feeds/feed.json: public, cached, conditional. */
const feedsRoutes: FastifyPluginAsyncTypebox<FeedsRoutesOptions> = async (app, opts) => {
  const { service } = opts

  // A feed's frame (everything but its items) is a function of its channel alone, and building
  // it through the XML writer cost about a tenth of an uncached RSS answer: the last frames
  // are kept by format and channel (the whole channel is the key, its date included), as
  // bytes, with the hash of those bytes for the ETag.
  const frames = new Map<string, Frame>()
  function frameOf (format: Format, channel: FeedChannel): Frame {
    const key = JSON.stringify([format, channel])
    let frame = frames.get(key)
    if (frame === undefined) {
      const { head, separator, tail } = feedFrame(format, channel)
      frame = { head: Buffer.from(head), separator: Buffer.from(separator), tail: Buffer.from(tail), hash: feedItemHash(JSON.stringify([head, separator, tail])) }
      if (frames.size >= FRAMES_KEPT) frames.delete(frames.keys().next().value as string)
      frames.set(key, frame)
    }
    return frame
  }

  /**
   * The document as one Buffer: the frame around the stored items' bytes (one copy of them,
   * into the answer), or items built from the rows for posts without one. When every item is
   * stored, its ETag comes from the frame's and the items' hashes (the body is never hashed).
   */
  function render (format: Format, data: FeedData, self: string): { body: Buffer, etag: string | null } {
    const channel = toFeedChannel(data, opts.apiUrl, self)
    const frame = frameOf(format, channel)
    const built = new Map(data.posts.map((p) => [p.id, p]))
    const parts: Buffer[] = [frame.head]
    const hashes: string[] = []
    for (const id of data.ids) {
      if (parts.length > 1 && frame.separator.length > 0) parts.push(frame.separator)
      const stored = data.stored.get(id)
      if (stored !== undefined) {
        parts.push(stored.bytes)
        hashes.push(stored.hash)
      } else {
        parts.push(Buffer.from(renderFeedItem(format, channel.idBase, toFeedItem(built.get(id) as FeedPost))))
      }
    }
    parts.push(frame.tail)
    return { body: Buffer.concat(parts), etag: hashes.length === data.ids.length ? feedEtag(frame.hash, hashes) : null }
  }

  for (const format of ['rss', 'atom', 'json'] as const) {
    const f = FORMATS[format]
    app.get(f.path, {
      // A feed carries posts and the site's title.
      config: { publicCache: true, ignoreUnknownQuery: true, cacheKeys: [POSTS_KEY, SITE_KEY] },
      schema: {
        operationId: f.operationId,
        tags: ['Feeds'],
        summary: f.summary,
        description: f.description + CONDITIONAL_HELP + URL_HELP,
        querystring: FeedQuery,
        produces: [f.mediaType.split(';')[0]],
        response: {
          200: {
            description: `The feed (${f.mediaType}), with ETag and Last-Modified`,
            content: { [f.mediaType.split(';')[0]]: { schema: Type.String({ description: format === 'json' ? 'A JSON Feed 1.1 document' : 'An XML document', examples: [EXAMPLES[format]] }) } }
          },
          304: { description: 'Not modified since the ETag or date you sent', type: 'null' },
          ...problemResponses(400, 404)
        }
      }
    }, async (request, reply) => {
      const data = await service.load(request.query, Date.now(), format)
      reply.cacheKeys(feedKeys(data.ids, request.query))
      reply.type(f.mediaType)
      if (data.timedOut) reply.header('cache-control', PARTIAL_CACHE_CONTROL)
      reply.header('last-modified', new Date(data.lastModified).toUTCString())
      const { body, etag } = render(format, data, feedUrl(opts.apiUrl, format, request.url))
      if (etag !== null) reply.cacheEtag(etag)
      // The bytes as they are: the schema's string is the text a client reads.
      return reply.send(body as never)
    })
  }
}
export default feedsRoutes
