import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problemResponses } from '../../schemas/common.js'
import { NotFound } from '../../errors.js'
import { PAGES_KEY, POST_EDITS_KEY, POSTS_KEY, SITE_KEY, termKey } from '../cache-keys.js'
import type { SitemapsService } from './sitemaps-service.js'

export interface SitemapsRoutesOptions { service: SitemapsService, apiUrl: string }

const XML = 'application/xml'
const xmlResponse = (description: string) => ({
  200: { description, content: { [XML]: { schema: Type.String({ description: 'A sitemaps.org 0.9 XML document' }) } } },
  304: { description: 'Not modified since the ETag you sent', type: 'null' }
})
const HELP = ' Public, cached like feeds (ETag, 304 to If-None-Match); absolute URLs from SITE_URL. Live content only; posts and pages marked `noindex` are left out. Query parameters are ignored (a crawler\'s additions share the plain URL\'s answer).'

/** GET /sitemap.xml, /sitemaps/*.xml and /robots.txt. */
const sitemapsRoutes: FastifyPluginAsyncTypebox<SitemapsRoutesOptions> = async (app, { service, apiUrl }) => {
  // post-edits: a live post's slug, update time (lastmod) or noindex changes its entry.
  const every = [POSTS_KEY, POST_EDITS_KEY, PAGES_KEY, termKey('category'), termKey('tag')]
  // The news sitemap: which posts are live and when (posts), their titles, slugs and noindex
  // (post-edits), the publication's name and language (site).
  const newsKeys = [POSTS_KEY, POST_EDITS_KEY, SITE_KEY]

  app.get('/sitemap.xml', {
    config: { publicCache: true, ignoreUnknownQuery: true, cacheKeys: every },
    schema: {
      operationId: 'getSitemapIndex',
      tags: ['Sitemaps'],
      summary: 'Get the sitemap index',
      description: 'Lists the posts sitemaps (`/sitemaps/posts-{n}.xml`, 50,000 URLs each), `pages.xml`, `categories.xml`, `tags.xml` and the Google News sitemap `news.xml`.' + HELP,
      produces: [XML],
      response: { ...xmlResponse('A sitemap index'), ...problemResponses(400, 401) }
    }
  }, async (request, reply) => {
    reply.type(XML)
    return await service.index(Date.now())
  })

  app.get('/sitemaps/:file', {
    config: { publicCache: true, ignoreUnknownQuery: true, cacheKeys: every },
    schema: {
      operationId: 'getSitemap',
      tags: ['Sitemaps'],
      summary: 'Get one sitemap',
      description: '`posts-{n}.xml` (from 1: live posts by id, 50,000 a file, `lastmod` from `updated_at`), `pages.xml`, `categories.xml` or `tags.xml` ' +
        '(categories and tags with a live post), or `news.xml`: the Google News sitemap (posts published in the last 48 hours, newest first, at most 1,000, ' +
        'each with `news:publication` — the site\'s title and language as an ISO 639 code —, `news:publication_date` and `news:title`). A posts sitemap past the last is a 404.' + HELP,
      params: Type.Object({
        file: Type.String({ pattern: '^(posts-[1-9][0-9]{0,5}|pages|categories|tags|news)\\.xml$', description: 'posts-{n}.xml, pages.xml, categories.xml, tags.xml or news.xml', examples: ['posts-1.xml'] })
      }, { additionalProperties: false }),
      produces: [XML],
      response: { ...xmlResponse('A sitemap'), ...problemResponses(400, 401, 404) }
    }
  }, async (request, reply) => {
    const { file } = request.params
    const now = Date.now()
    let body: string | undefined
    if (file === 'news.xml') {
      const news = await service.news(now)
      body = news.body
      reply.cacheKeys(newsKeys)
      if (news.expiresAt !== undefined) reply.cacheUntil(news.expiresAt)
    } else if (file === 'pages.xml') body = service.pages(now)
    else if (file === 'categories.xml') body = service.terms('categories')
    else if (file === 'tags.xml') body = service.terms('tags')
    else body = await service.posts(Number(file.slice('posts-'.length, -'.xml'.length)), now)
    if (body === undefined) throw new NotFound('Sitemap', JSON.stringify(file))
    reply.type(XML)
    return body
  })

  app.get('/robots.txt', {
    config: { publicCache: true, ignoreUnknownQuery: true, cacheKeys: [] },
    schema: {
      operationId: 'getRobots',
      tags: ['Sitemaps'],
      summary: 'Get robots.txt, which names the sitemap index',
      description: 'Allows every crawler and names `/sitemap.xml` on PUBLIC_API_URL. A frontend on another host names the same URL in its own robots.txt. Query parameters are ignored.',
      produces: ['text/plain'],
      response: { 200: { description: 'robots.txt', content: { 'text/plain': { schema: Type.String() } } }, ...problemResponses(400, 401) }
    }
  }, async (request, reply) => {
    reply.type('text/plain; charset=utf-8')
    return `User-agent: *\nAllow: /\nSitemap: ${apiUrl}/sitemap.xml\n`
  })
}
export default sitemapsRoutes
