import createClient, { type Client, type ClientPathsWithMethod, type FetchOptions, type FetchResponse } from 'openapi-fetch'
import type { paths } from './schema.js'
import { BroadsheetProblem } from './problem.js'
import { EtagCache, type EtagCacheOptions } from './etag-cache.js'

/** The HTTP methods the API uses. */
export type Method = 'get' | 'post' | 'patch' | 'delete'

/** Every path of the API that has this method ('/v1/posts/{ref}', …). */
export type PathsWith<M extends Method> = ClientPathsWithMethod<Client<paths>, M>

type Operation<P extends keyof paths, M extends Method> = paths[P][M] & Record<string | number, any>

/** The second argument of a call: `params` (path, query), `body`, `headers`, `signal`, `parseAs`… */
export type RequestInitFor<P extends keyof paths, M extends Method> = FetchOptions<Operation<P, M>>

// Optional when the operation needs no parameters and no body. The path fixes the type before
// the argument is checked, so a misspelt parameter or body field is an excess-property error
// (openapi-fetch's own methods infer the argument and let extra body fields through).
type InitArgs<P extends keyof paths, M extends Method> =
  {} extends RequestInitFor<P, M> ? [init?: RequestInitFor<P, M>] : [init: RequestInitFor<P, M>]

/** The body of a successful answer (parsed JSON, or text for `parseAs: 'text'`). */
export type SuccessBody<P extends keyof paths, M extends Method> =
  NonNullable<FetchResponse<Operation<P, M>, {}, `${string}/${string}`>['data']>

/**
 * Whether a body is a list whose items, or a single resource whose fields, are all optional: an
 * answer read with `fields`.
 */
type IsSparse<B> = B extends { data: Array<infer I> } ? ({} extends I ? true : false) : B extends { data: infer I extends object } ? ({} extends I ? true : false) : false
type WithoutSparse<B> = B extends unknown ? (IsSparse<B> extends true ? never : B) : never

/**
 * The answer to a call without `fields`: an answer documented as "the full list (or resource),
 * or the sparse one with `fields`" (GET /v1/posts, /v1/posts/{ref}, …/related, the term lists)
 * is the full one; any other answer is itself.
 */
export type FullBody<B> = [WithoutSparse<B>] extends [never] ? B : WithoutSparse<B>

/** 'id,slug,title' → 'id' | 'slug' | 'title'. */
export type FieldNames<F extends string> = F extends `${infer Head},${infer Rest}` ? Head | FieldNames<Rest> : F

/**
 * The answer to a call with `fields`: each item has exactly the fields named when `fields` is a
 * literal string (`'id,slug,title'`, or a `const`), else the documented sparse item (every field
 * optional).
 */
export type SparseBody<B, F extends string> = string extends F
  ? Exclude<B, WithoutSparse<B>> extends never ? B : Exclude<B, WithoutSparse<B>>
  : FullBody<B> extends { data: Array<infer I> }
    ? Omit<FullBody<B>, 'data'> & { data: Array<Pick<I, FieldNames<F> & keyof I>> }
    : FullBody<B> extends { data: infer I }
      ? Omit<FullBody<B>, 'data'> & { data: Pick<I, FieldNames<F> & keyof I> }
      : B

/** The init of a call that narrows an answer with `fields`. */
type FieldsInit<P extends keyof paths, M extends Method, F extends string> = RequestInitFor<P, M> & { params: { query: { fields: F } } }

/** What a call resolves to: the success body and the Response (headers: ETag, Link, X-Total-Count). */
export interface Result<T> {
  data: T
  response: Response
}

export interface BroadsheetClientOptions {
  /** The API's base URL, e.g. https://api.example.com (paths start with /v1). */
  baseUrl: string
  /** An API key, sent as `Authorization: Bearer <key>`. Public reads need none. */
  key?: string
  /** A fetch to use instead of globalThis.fetch (tests, instrumentation, a framework's fetch). */
  fetch?: (input: Request) => Promise<Response>
  /** Headers sent with every request. */
  headers?: Record<string, string>
  /**
   * Keep public answers with their ETag and revalidate them with If-None-Match: a 304 is
   * handed back as the stored 200 answer. Off by default; `true` or limits to turn it on.
   */
  etagCache?: boolean | EtagCacheOptions
}

type ListBody = { data: unknown[], meta: Record<string, unknown> }
type Meta<B> = B extends { meta: infer M } ? M : never
type Pageable<B> = B extends { data: unknown[] }
  ? ('next_cursor' extends keyof Meta<B> ? true : 'total_pages' extends keyof Meta<B> ? true : false)
  : false

/** The GET paths that answer a list the helpers can walk: by `meta.next_cursor` or by page. */
export type ListPath = {
  [P in PathsWith<'get'>]: Pageable<SuccessBody<P, 'get'>> extends true ? P : never
}[PathsWith<'get'>]

/** The item type of a list path read without `fields` (the full item). */
export type ItemOf<P extends ListPath> = FullBody<SuccessBody<P, 'get'>> extends { data: Array<infer I> } ? I : never

/** The item type of a list path read with `fields` F (exactly those fields for a literal F). */
export type SparseItemOf<P extends ListPath, F extends string> = SparseBody<SuccessBody<P, 'get'>, F> extends { data: Array<infer I> } ? I : never

/** One page of a list as `paginate()` yields it. */
export interface Page<P extends ListPath, I = ItemOf<P>> {
  data: I[]
  meta: Meta<SuccessBody<P, 'get'>>
  response: Response
}

export interface PaginateOptions {
  /** Stop after this many pages (default: no limit). */
  maxPages?: number
}

/** The typed client: see createBroadsheetClient. */
export interface BroadsheetClient {
  /** GET: resolves to the success body and Response; any other answer throws BroadsheetProblem. */
  GET: {
    // With `fields` (post lists, a post, related posts, term lists): the fields named; see SparseBody.
    <P extends PathsWith<'get'>, F extends string>(path: P, init: FieldsInit<P, 'get', F>): Promise<Result<SparseBody<SuccessBody<P, 'get'>, F>>>
    <P extends PathsWith<'get'>>(path: P, ...init: InitArgs<P, 'get'>): Promise<Result<FullBody<SuccessBody<P, 'get'>>>>
  }
  POST: <P extends PathsWith<'post'>>(path: P, ...init: InitArgs<P, 'post'>) => Promise<Result<SuccessBody<P, 'post'>>>
  PATCH: <P extends PathsWith<'patch'>>(path: P, ...init: InitArgs<P, 'patch'>) => Promise<Result<SuccessBody<P, 'patch'>>>
  /** DELETE: most answer 204, so `data` is undefined for them. */
  DELETE: <P extends PathsWith<'delete'>>(path: P, ...init: InitArgs<P, 'delete'>) => Promise<Result<SuccessBody<P, 'delete'> | undefined>>
  /**
   * Every page of a list, in order: post lists follow `meta.next_cursor` (keyset, exact
   * however deep), the change log follows it as `since` while `has_more`, other lists go
   * page by page up to `meta.total_pages`.
   */
  paginate: {
    // With `fields`, items narrowed as GET narrows them.
    <P extends ListPath, F extends string>(path: P, init: FieldsInit<P, 'get', F>, options?: PaginateOptions): AsyncGenerator<Page<P, SparseItemOf<P, F>>, void, undefined>
    <P extends ListPath>(path: P, init?: RequestInitFor<P, 'get'>, options?: PaginateOptions): AsyncGenerator<Page<P>, void, undefined>
  }
  /** Every item of a list across its pages (see paginate). */
  iterate: {
    <P extends ListPath, F extends string>(path: P, init: FieldsInit<P, 'get', F>, options?: PaginateOptions): AsyncGenerator<SparseItemOf<P, F>, void, undefined>
    <P extends ListPath>(path: P, init?: RequestInitFor<P, 'get'>, options?: PaginateOptions): AsyncGenerator<ItemOf<P>, void, undefined>
  }
  /** The openapi-fetch client underneath: `{ data, error, response }` results, never throws on HTTP errors. */
  raw: Client<paths>
  /** The ETag cache, when `etagCache` is on. */
  etags: EtagCache | undefined
}

/**
 * A typed client for the Broadsheet API: paths, parameters, bodies and answers checked by
 * TypeScript against the types generated from openapi/openapi.json, problem+json answers
 * thrown as BroadsheetProblem, list helpers, and an opt-in ETag cache.
 *
 * @example
 * const bs = createBroadsheetClient({ baseUrl: 'http://127.0.0.1:3000' })
 * const { data } = await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'blinken-warns-russia' } } })
 * console.log(data.data.title)
 */
export function createBroadsheetClient (options: BroadsheetClientOptions): BroadsheetClient {
  const headers: Record<string, string> = { ...options.headers }
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`
  const raw = createClient<paths>({ baseUrl: options.baseUrl, headers, ...(options.fetch ? { fetch: options.fetch } : {}) })
  const etags = options.etagCache ? new EtagCache(options.etagCache === true ? {} : options.etagCache) : undefined
  if (etags) raw.use(etags.middleware)

  async function call (method: Method, path: string, init: unknown): Promise<Result<any>> {
    const result = await (raw.request as (m: string, p: string, i: unknown) => Promise<{ data?: unknown, error?: unknown, response: Response }>)(method, path, init)
    if (!result.response.ok) throw BroadsheetProblem.from(result.error, result.response)
    return { data: result.data, response: result.response }
  }

  async function * paginate (path: string, init: any = {}, opts: PaginateOptions = {}): AsyncGenerator<any, void, undefined> {
    let query: Record<string, unknown> = { ...init.params?.query }
    for (let pages = 0; opts.maxPages === undefined || pages < opts.maxPages; pages++) {
      const { data: body, response } = await call('get', path, { ...init, params: { ...init.params, query } }) as Result<ListBody>
      yield { data: body.data, meta: body.meta, response }
      const meta = body.meta
      if (body.data.length === 0) return
      if ('next_cursor' in meta) {
        if (typeof meta.next_cursor !== 'string' || meta.has_more === false) return
        // The change log takes its cursor as `since`; post lists as `cursor`, instead of `page`.
        const { page: _page, ...rest } = query
        query = 'has_more' in meta ? { ...rest, since: meta.next_cursor } : { ...rest, cursor: meta.next_cursor }
      } else if (typeof meta.page === 'number' && typeof meta.total_pages === 'number') {
        if (meta.page >= meta.total_pages) return
        query = { ...query, page: meta.page + 1 }
      } else {
        return
      }
    }
  }

  async function * iterate (path: string, init?: unknown, opts?: PaginateOptions): AsyncGenerator<unknown, void, undefined> {
    for await (const page of paginate(path, init, opts)) yield * page.data
  }

  return {
    GET: (async (path: string, ...init: unknown[]) => await call('get', path, init[0])) as BroadsheetClient['GET'],
    POST: (path, ...init) => call('post', path, init[0]),
    PATCH: (path, ...init) => call('patch', path, init[0]),
    DELETE: (path, ...init) => call('delete', path, init[0]),
    paginate: paginate as BroadsheetClient['paginate'],
    iterate: iterate as BroadsheetClient['iterate'],
    raw,
    etags
  }
}
