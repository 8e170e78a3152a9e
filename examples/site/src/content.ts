import {
  isBroadsheetProblem,
  type BroadsheetClient, type Category, type ContentPage, type PageSummary, type Post, type PostSummary, type PostListMeta,
  type PublicComment, type RelatedPost, type Site, type Tag
} from '@broadsheet/client'

/** The thing a page names does not exist (or is not public): the site answers its 404 page. */
export class NotFound extends Error {
  constructor (what: string) {
    super(`${what} not found`)
    this.name = 'NotFound'
  }
}

/**
 * What a page was built from: the ETag and max-age of every API answer, so the page's own
 * ETag changes exactly when one of them does, and its Cache-Control is no longer than theirs.
 */
export class Validators {
  readonly etags: string[] = []
  maxAge = Number.POSITIVE_INFINITY
  /** False when one answer had no ETag or was not public: the page gets no ETag either. */
  cacheable = true

  add (response: Response): void {
    const etag = response.headers.get('etag')
    const cacheControl = response.headers.get('cache-control') ?? ''
    if (etag === null || !/\bpublic\b/.test(cacheControl)) this.cacheable = false
    else this.etags.push(etag)
    const maxAge = /max-age=(\d+)/.exec(cacheControl)
    this.maxAge = Math.min(this.maxAge, maxAge ? Number(maxAge[1]) : 0)
  }
}

// Lists ask only for what a card shows (journey 2), and snippets when searching.
// A literal type, so the typed client gives each card exactly these fields.
const CARD_FIELDS = 'id,slug,title,excerpt,published_at,author,categories,featured_image,reading_time_minutes' as const
const SEARCH_FIELDS = `${CARD_FIELDS},snippet` as const
const PER_PAGE = 10

/** A post as a card shows it: the CARD_FIELDS, and a snippet when searching. */
export type PostCard = Pick<PostSummary, 'id' | 'slug' | 'title' | 'excerpt' | 'published_at' | 'author' | 'categories' | 'featured_image' | 'reading_time_minutes' | 'snippet'>

export interface PostList { posts: PostCard[], meta: PostListMeta }

export interface ArticleData {
  post: Post & { preview?: boolean }
  related: RelatedPost[]
  comments: PublicComment[]
}

/**
 * Reads what the pages need, through the typed client, recording each answer's validators.
 * One per request.
 */
export class ContentReader {
  readonly validators = new Validators()

  constructor (private readonly api: BroadsheetClient) {}

  private seen<T extends { response: Response }> (result: T): T {
    this.validators.add(result.response)
    return result
  }

  async site (): Promise<Site> {
    return this.seen(await this.api.GET('/v1/site')).data.data
  }

  /** Every category (for the menu when the site has none), in the API's order. */
  async categories (): Promise<Category[]> {
    const all: Category[] = []
    for await (const page of this.api.paginate('/v1/categories', { params: { query: { per_page: 100 } } }, { maxPages: 10 })) {
      this.validators.add(page.response)
      all.push(...page.data)
    }
    return all
  }

  async category (slug: string): Promise<Category> {
    return await notFoundAs(`Category ${slug}`, async () => this.seen(await this.api.GET('/v1/categories/{ref}', { params: { path: { ref: slug } } })).data.data)
  }

  /** The category of this slug, or null (a page or post may own the address instead). */
  async categoryOrNull (slug: string): Promise<Category | null> {
    return await nullIfMissing(async () => this.seen(await this.api.GET('/v1/categories/{ref}', { params: { path: { ref: slug } } })).data.data)
  }

  /**
   * The live page at this path (`about/team`), or null. Page slugs are unique over all pages, so
   * the last segment finds it in one read; its `path` must then be the whole path.
   */
  async pageOrNull (path: string): Promise<ContentPage | null> {
    const slug = path.slice(path.lastIndexOf('/') + 1)
    const found = await nullIfMissing(async () => this.seen(await this.api.GET('/v1/pages/{ref}', { params: { path: { ref: slug } } })).data.data)
    return found !== null && found.path === path ? found : null
  }

  /** The live sub-pages of a page, in menu order. */
  async childPages (id: number): Promise<PageSummary[]> {
    const { data } = this.seen(await this.api.GET('/v1/pages', { params: { query: { parent: String(id), per_page: 50 } } }))
    return data.data
  }

  async tag (slug: string): Promise<Tag> {
    return await notFoundAs(`Tag ${slug}`, async () => this.seen(await this.api.GET('/v1/tags/{ref}', { params: { path: { ref: slug } } })).data.data)
  }

  /** Latest posts, optionally of a category or tag, continuing after `cursor`. */
  async latest (filter: { category?: string, tag?: string, cursor?: string }): Promise<PostList> {
    const query = { per_page: PER_PAGE, fields: CARD_FIELDS, ...filter }
    const { data } = await notFoundAs('Page', async () => this.seen(await this.api.GET('/v1/posts', { params: { query } })))
    return { posts: data.data, meta: data.meta }
  }

  /** Search results by relevance, with snippets; pages by number. */
  async search (q: string, page: number): Promise<PostList> {
    const query = { q, sort: 'relevance' as const, page, per_page: PER_PAGE, fields: SEARCH_FIELDS }
    const { data } = this.seen(await this.api.GET('/v1/posts', { params: { query } }))
    return { posts: data.data, meta: data.meta }
  }

  /** A published post with its three related posts and its approved comment thread. */
  async article (slug: string): Promise<ArticleData> {
    const path = { ref: slug }
    const [post, related, comments] = await Promise.allSettled([
      this.api.GET('/v1/posts/{ref}', { params: { path } }),
      this.api.GET('/v1/posts/{ref}/related', { params: { path, query: { limit: 3 } } }),
      this.thread(this.api.paginate('/v1/posts/{ref}/comments', { params: { path, query: { per_page: 100 } } }, { maxPages: 20 }))
    ])
    if (post.status === 'rejected') {
      if (isBroadsheetProblem(post.reason) && post.reason.status === 404) throw new NotFound(`Post ${slug}`)
      throw post.reason
    }
    if (related.status === 'rejected') throw related.reason
    if (comments.status === 'rejected') throw comments.reason
    return { post: this.seen(post.value).data.data, related: this.seen(related.value).data.data, comments: comments.value }
  }

  /**
   * A draft through its preview token: GET /v1/previews/{token} and its /related and
   * /comments. These answers are private (no ETag, no-store), so the page is too.
   */
  async preview (token: string): Promise<ArticleData> {
    this.validators.cacheable = false
    const path = { token }
    const [post, related, comments] = await Promise.allSettled([
      this.api.GET('/v1/previews/{token}', { params: { path } }),
      this.api.GET('/v1/previews/{token}/related', { params: { path, query: { limit: 3 } } }),
      this.api.GET('/v1/previews/{token}/comments', { params: { path, query: { per_page: 100 } } })
    ])
    // Every wrong token is the same 404 (unknown, expired, revoked or malformed).
    if (post.status === 'rejected') {
      if (isBroadsheetProblem(post.reason) && post.reason.status === 404) throw new NotFound('Preview')
      throw post.reason
    }
    return {
      post: post.value.data.data,
      related: orEmptyIfGone(related),
      comments: orEmptyIfGone(comments)
    }
  }

  private async thread (pages: AsyncGenerator<{ data: PublicComment[], response: Response }>): Promise<PublicComment[]> {
    const all: PublicComment[] = []
    for await (const page of pages) {
      this.validators.add(page.response)
      all.push(...page.data)
    }
    return all
  }
}

/** A preview's list, or none when the link was revoked between the reads. */
function orEmptyIfGone<T> (result: PromiseSettledResult<{ data: { data: T[] } }>): T[] {
  if (result.status === 'fulfilled') return result.value.data.data
  if (isBroadsheetProblem(result.reason) && result.reason.status === 404) return []
  throw result.reason
}

async function nullIfMissing<T> (read: () => Promise<T | null>): Promise<T | null> {
  try {
    return await read()
  } catch (err) {
    if (isBroadsheetProblem(err) && (err.status === 404 || err.status === 400)) return null
    throw err
  }
}

async function notFoundAs<T> (what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (err) {
    // A 404 is an unknown slug; a 400 is a malformed one (or a stale cursor): both no such page.
    if (isBroadsheetProblem(err) && (err.status === 404 || err.status === 400)) throw new NotFound(what)
    throw err
  }
}
