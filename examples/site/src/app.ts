import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import view from '@fastify/view'
import { Eta } from 'eta'
import { createBroadsheetClient, type BroadsheetClient, type Category, type ContentPage, type NavigationItem, type Seo, type Site } from '@broadsheet/client'
import type { SiteConfig } from './config.js'
import { ContentReader, NotFound, type ArticleData, type Validators } from './content.js'
import { breadcrumb, categoryPath, formatDate, postPath, safeUrl, snippetHtml, tagPath } from './format.js'

const VIEWS = fileURLToPath(new URL('../views/', import.meta.url))
const STYLESHEET = readFileSync(fileURLToPath(new URL('../public/site.css', import.meta.url)))
const STYLESHEET_ETAG = `"${createHash('sha256').update(STYLESHEET).digest('base64url').slice(0, 27)}"`

// Part of every page's ETag: a change to a template or the stylesheet changes every page.
const BUILD = createHash('sha256')
  .update(STYLESHEET)
  .update(readdirSync(VIEWS).sort().map((f) => readFileSync(VIEWS + f, 'utf8')).join('\0'))
  .digest('hex')

export interface BuildSiteOptions extends Pick<SiteConfig, 'apiUrl' | 'publicApiUrl'> {
  logger?: FastifyServerOptions['logger']
  /** The client to read with (tests pass one); by default one on apiUrl with the ETag cache on. */
  api?: BroadsheetClient
}

/** A link of the site's menu: the API's navigation item with its address on this site. */
export interface MenuLink { label: string, href: string, children: MenuLink[] }

interface Layout {
  site: Site
  /** The primary menu (site settings), else the top-level categories. */
  nav: MenuLink[]
  q?: string
  robots?: string
  canonical?: string | null
  pageTitle?: string
  /** The head tags of a post or page, as the API computed them (title, description, Open Graph, Twitter). */
  seo?: Seo
}

/** The helpers templates call (always escaped by Eta unless written with <%~). */
const helpers = { postPath, categoryPath, tagPath, formatDate, snippetHtml, safeUrl }

// What the 404 and error pages show when the API cannot say.
const FALLBACK_SITE = { title: 'Broadsheet', description: '', language: 'en', timezone: 'UTC' } as Site

/**
 * The reference frontend: server-rendered pages read from the Broadsheet API through
 * @broadsheet/client, escaped by Eta, with ETags derived from the API's.
 */
export async function buildSite (opts: BuildSiteOptions) {
  const api = opts.api ?? createBroadsheetClient({ baseUrl: opts.apiUrl, etagCache: { maxEntries: 1000 } })
  const app = Fastify({ logger: opts.logger ?? false, disableRequestLogging: true, routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 } })
  const formOrigin = new URL(opts.publicApiUrl).origin

  await app.register(view, {
    engine: { eta: new Eta({ autoEscape: true, autoTrim: [false, 'nl'] }) },
    templates: VIEWS,
    production: true,
    defaultContext: { h: helpers }
  })

  // No script at all; the one form posts to the API (and is redirected back here).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', [
      "default-src 'none'", "style-src 'self'", 'img-src * data:', 'frame-src https:',
      `form-action 'self' ${formOrigin}`, "base-uri 'none'", "frame-ancestors 'none'"
    ].join('; '))
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'strict-origin-when-cross-origin')
  })

  /** Sends a page: ETag and Cache-Control from the API answers it was built from, or 304. */
  async function page (request: FastifyRequest, reply: FastifyReply, validators: Validators, template: string, data: Record<string, unknown>) {
    if (validators.cacheable) {
      const etag = `W/"${createHash('sha256').update(BUILD).update(request.url).update(validators.etags.join(',')).digest('base64url').slice(0, 32)}"`
      const maxAge = Number.isFinite(validators.maxAge) ? validators.maxAge : 60
      reply.header('etag', etag).header('cache-control', `public, max-age=${maxAge}`)
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send()
    } else {
      reply.header('cache-control', 'no-cache')
    }
    const html = await reply.viewAsync(template, data)
    return reply.type('text/html; charset=utf-8').send(html)
  }

  async function layout (reader: ContentReader, extra: Partial<Layout> = {}): Promise<Layout> {
    const site = await reader.site()
    // The categories only make the menu of a site that has none of its own.
    const categories = site.navigation.primary.length === 0 ? await reader.categories() : []
    return { site, nav: menu(site.navigation.primary, categories), ...extra }
  }

  app.get('/assets/site.css', async (request, reply) => {
    reply.header('etag', STYLESHEET_ETAG).header('cache-control', 'public, max-age=3600')
    if (matchesEtag(request.headers['if-none-match'], STYLESHEET_ETAG)) return reply.code(304).send()
    return reply.type('text/css; charset=utf-8').send(STYLESHEET)
  })
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send())

  app.get<{ Querystring: { cursor?: string } }>('/', async (request, reply) => {
    const reader = new ContentReader(api)
    const cursor = text(request.query.cursor)
    const [base, list] = await Promise.all([layout(reader), reader.latest({ cursor })])
    return await page(request, reply, reader.validators, 'list', {
      ...base, heading: cursor ? 'Older posts' : 'Latest', kind: 'home', list, next: nextCursorHref('/', list.meta.next_cursor), first: cursor ? '/' : null
    })
  })

  async function categoryPage (request: FastifyRequest, reply: FastifyReply, reader: ContentReader, base: Layout, category: Category, cursor: string | undefined) {
    const list = await reader.latest({ category: category.slug, cursor })
    const here = categoryPath(category.slug)
    return await page(request, reply, reader.validators, 'list', {
      ...base,
      pageTitle: category.name,
      heading: category.name,
      description: category.description,
      crumbs: breadcrumb(category).slice(0, -1),
      kind: 'category',
      list,
      next: nextCursorHref(here, list.meta.next_cursor),
      first: cursor ? here : null
    })
  }

  // The old address of category pages.
  app.get<{ Params: { slug: string } }>('/category/:slug', async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
    return reply.code(301).header('cache-control', 'public, max-age=3600').redirect(categoryPath(request.params.slug) + query, 301)
  })

  app.get<{ Params: { slug: string }, Querystring: { cursor?: string } }>('/tag/:slug', async (request, reply) => {
    const reader = new ContentReader(api)
    const cursor = text(request.query.cursor)
    const [base, tag, list] = await Promise.all([layout(reader), reader.tag(request.params.slug), reader.latest({ tag: request.params.slug, cursor })])
    const here = tagPath(tag.slug)
    return await page(request, reply, reader.validators, 'list', {
      ...base, pageTitle: `#${tag.name}`, heading: `Tagged “${tag.name}”`, kind: 'tag', list, next: nextCursorHref(here, list.meta.next_cursor), first: cursor ? here : null
    })
  })

  app.get<{ Querystring: { q?: string, page?: string } }>('/search', async (request, reply) => {
    const reader = new ContentReader(api)
    const q = (text(request.query.q) ?? '').trim().slice(0, 200)
    const pageNumber = /^\d{1,4}$/.test(request.query.page ?? '') ? Math.max(1, Number(request.query.page)) : 1
    const [base, list] = await Promise.all([layout(reader, { q }), q === '' ? undefined : reader.search(q, pageNumber)])
    const href = (n: number) => `/search?${new URLSearchParams({ q, page: String(n) })}`
    return await page(request, reply, reader.validators, 'search', {
      ...base,
      pageTitle: q ? `Search: ${q}` : 'Search',
      robots: 'noindex',
      list,
      prev: list && pageNumber > 1 ? href(pageNumber - 1) : null,
      next: list && pageNumber < list.meta.total_pages ? href(pageNumber + 1) : null
    })
  })

  app.get<{ Querystring: { token?: string } }>('/preview', async (request, reply) => {
    // Never cached, never indexed, whatever the answer.
    reply.header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex')
    const token = text(request.query.token) ?? ''
    const reader = new ContentReader(api)
    const base = await layout(reader, { robots: 'noindex' })
    if (!/^[A-Za-z0-9._~-]{8,512}$/.test(token)) throw new NotFound('Preview')
    const article = await reader.preview(token)
    const html = await reply.viewAsync('article', { ...base, ...articleView(article, { preview: true }) })
    return reply.type('text/html; charset=utf-8').send(html)
  })

  type PathRoute = { Params: { '*': string }, Querystring: { cursor?: string, comment?: string, replyto?: string, comment_error?: string, comment_message?: string, comment_fields?: string, author_name?: string, author_url?: string, content?: string } }

  async function articlePage (request: FastifyRequest<PathRoute>, reply: FastifyReply, reader: ContentReader, base: Layout, slug: string, category: string | undefined) {
    const data = await reader.article(slug)
    const canonicalPath = postPath(data.post)
    if (category !== undefined && category !== data.post.categories[0]?.slug) {
      // One address per article: the one in the post's `url`.
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
      return reply.code(301).header('cache-control', 'public, max-age=60').redirect(canonicalPath + query, 301)
    }
    const replyTo = Number(request.query.replyto)
    return await page(request, reply, reader.validators, 'article', {
      ...base,
      ...articleView(data, {
        preview: false,
        notice: request.query.comment === 'pending' || request.query.comment === 'approved' ? request.query.comment : null,
        replyTo: data.comments.find((c) => c.id === replyTo && !c.deleted) ?? null
      }),
      formAction: `${opts.publicApiUrl}/v1/posts/${encodeURIComponent(data.post.slug)}/comments`,
      // A refused form comes back here (303) with the reason and what the reader typed.
      formError: text(request.query.comment_error) === undefined ? null : { message: commentErrorMessage(text(request.query.comment_error)!, text(request.query.comment_message)), fields: (text(request.query.comment_fields) ?? '').split(',').filter(Boolean) },
      formValues: { author_name: text(request.query.author_name) ?? '', author_url: text(request.query.author_url) ?? '', content: text(request.query.content) ?? '' },
      commentsOpen: data.post.comment_status === 'open' && base.site.comments.enabled
    })
  }

  async function contentPage (request: FastifyRequest, reply: FastifyReply, reader: ContentReader, base: Layout, found: ContentPage) {
    const children = await reader.childPages(found.id)
    return await page(request, reply, reader.validators, 'page', {
      ...base,
      pageTitle: found.title,
      seo: found.seo,
      canonical: found.seo.canonical_url,
      robots: found.noindex ? 'noindex' : undefined,
      page: found,
      children
    })
  }

  /**
   * Every other address, resolved the way the API builds URLs (SITE_URL + path): one segment is
   * a page, else a category, else a post without a category (or a post by its slug alone); two
   * are a nested page, else a post in its primary category; more, a nested page.
   */
  app.get<PathRoute>('/*', async (request, reply) => {
    const segments = request.params['*'].split('/').filter((s) => s !== '')
    if (segments.length === 0 || segments.length > 10) throw new NotFound('Page')
    const reader = new ContentReader(api)
    const path = segments.join('/')
    if (segments.length === 1) {
      const [base, found, category] = await Promise.all([layout(reader), reader.pageOrNull(path), reader.categoryOrNull(path)])
      if (found !== null) return await contentPage(request, reply, reader, base, found)
      if (category !== null) return await categoryPage(request, reply, reader, base, category, text(request.query.cursor))
      return await articlePage(request, reply, reader, base, segments[0], undefined)
    }
    const [base, found] = await Promise.all([layout(reader), reader.pageOrNull(path)])
    if (found !== null) return await contentPage(request, reply, reader, base, found)
    if (segments.length === 2) return await articlePage(request, reply, reader, base, segments[1], segments[0])
    throw new NotFound('Page')
  })

  async function notFoundPage (request: FastifyRequest, reply: FastifyReply) {
    let base: Layout = { site: FALLBACK_SITE, nav: [] }
    try {
      base = await layout(new ContentReader(api))
    } catch (err) {
      request.log.warn({ err }, 'the API did not answer for the 404 page')
    }
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'public, max-age=60')
    const html = await reply.viewAsync('not-found', { ...base, pageTitle: 'Page not found', robots: 'noindex' })
    return reply.code(404).type('text/html; charset=utf-8').send(html)
  }

  app.setNotFoundHandler(notFoundPage)
  app.setErrorHandler(async (err, request, reply) => {
    if (err instanceof NotFound) return await notFoundPage(request, reply)
    request.log.error({ err }, 'page failed')
    const status = (err as { statusCode?: number }).statusCode
    const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 502
    reply.header('cache-control', 'no-store')
    const html = await reply.viewAsync('error', { site: FALLBACK_SITE, nav: [], pageTitle: 'Something went wrong', robots: 'noindex', status: code })
    return reply.code(code).type('text/html; charset=utf-8').send(html)
  })

  return app
}

function articleView (data: ArticleData, extra: Record<string, unknown>) {
  const { post } = data
  return {
    pageTitle: post.title,
    seo: extra.preview ? undefined : post.seo,
    canonical: extra.preview ? null : post.canonical_url,
    robots: extra.preview ? 'noindex' : (post.noindex ? 'noindex' : undefined),
    post,
    crumbs: breadcrumb(post.categories[0]),
    related: data.related,
    comments: data.comments,
    ...extra
  }
}

/**
 * The site's menu from the API's navigation: items that point at content link to its path here
 * (the API builds their URLs from SITE_URL, which is this site), others keep their URL. Without
 * a menu, the top-level categories.
 */
export function menu (items: NavigationItem[], categories: Category[]): MenuLink[] {
  if (items.length === 0) return categories.filter((c) => c.parent_id === null).map((c) => ({ label: c.name, href: categoryPath(c.slug), children: [] }))
  // The generated type stops at the third level the API allows; the shape is the same at each.
  type Node = Pick<NavigationItem, 'label' | 'url' | 'type'> & { children: readonly unknown[] }
  const link = (item: Node): MenuLink => ({
    label: item.label,
    href: item.type === 'url' ? (item.url.startsWith('/') ? item.url : safeUrl(item.url)) : localPath(item.url),
    children: (item.children as Node[]).map(link)
  })
  return items.map(link)
}

function localPath (url: string): string {
  try {
    const parsed = new URL(url)
    return parsed.pathname + parsed.search
  } catch {
    return '#'
  }
}

function nextCursorHref (path: string, cursor: string | null): string | null {
  return cursor === null ? null : `${path}?${new URLSearchParams({ cursor })}`
}

/** What a reader is told when the API refused their comment (`comment_error` is the problem's code). */
function commentErrorMessage (code: string, detail: string | undefined): string {
  switch (code) {
    case 'RATE_LIMITED': return 'You have posted several comments just now: please wait a minute and send it again.'
    case 'DUPLICATE_COMMENT': return 'You have already posted this comment.'
    case 'COMMENTS_CLOSED': return 'Comments are closed on this article.'
    case 'VALIDATION_FAILED': return `Please check the form: ${(detail ?? '').replace(/^Invalid request: /, '')}`
    default: return detail ?? 'Your comment could not be posted.'
  }
}

/** A single query value: repeated parameters arrive as arrays. */
function text (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function matchesEtag (header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const weak = (tag: string) => tag.trim().replace(/^W\//, '')
  return header.split(',').some((tag) => tag.trim() === '*' || weak(tag) === weak(etag))
}
