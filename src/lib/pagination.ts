/** The `meta` of a paginated list (schemas/common.ts PaginationMeta). */
export interface PageMeta { page: number, per_page: number, total: number, total_pages: number }

/** Page arithmetic and the RFC 8288 Link header of a paginated list. */
export function pageMeta (page: number, perPage: number, total: number): PageMeta {
  return { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) }
}

/** The page a list query asks for (`page`, `per_page` with their defaults) and the offset it starts at. */
export function pageOf (query: { page?: number, per_page?: number }, defaultPerPage = 10): { page: number, perPage: number, offset: number } {
  const page = query.page ?? 1
  const perPage = query.per_page ?? defaultPerPage
  return { page, perPage, offset: (page - 1) * perPage }
}

/** What `listPage` needs of a reply (a FastifyReply is one), so this file stays free of Fastify. */
export interface HeaderSink { header (name: string, value: string): unknown }

// Only lets a request URL (path and query) be parsed; it never appears in a Link header.
const PARSE_BASE = 'http://x'

// Link headers made lately, by request URL and page position: parsing the URL and serializing
// its query again cost about as much as the rest of a list page sent from stored cards, and a
// page is asked for by the same URL again and again. Bounded in entries and in URL length.
const LINKS_KEPT = 1000
const LINK_URL_KEPT = 512
const links = new Map<string, string>()
function remembered (key: string, make: () => string): string {
  if (key.length > LINK_URL_KEPT + 64) return make()
  let value = links.get(key)
  if (value === undefined) {
    value = make()
    if (links.size >= LINKS_KEPT) links.delete(links.keys().next().value as string)
    links.set(key, value)
  }
  return value
}

/**
 * Answers one page of a list the same way everywhere: `X-Total-Count`, the `Link` header
 * (first/prev/next/last, relative to the request URL) and the envelope `{ data, meta }`.
 */
export function listPage<T> (reply: HeaderSink, requestUrl: string, page: { page: number, perPage: number, total: number }, data: T[]): { data: T[], meta: PageMeta } {
  const meta = pageMeta(page.page, page.perPage, page.total)
  reply.header('x-total-count', String(meta.total))
  reply.header('link', remembered(`${meta.page} ${meta.total_pages} ${requestUrl}`, () => pageLinks(PARSE_BASE, requestUrl, meta.page, meta.total_pages)))
  return { data, meta }
}

/** The `meta` of a list that can also be read by cursor: `page` is null on a cursor page. */
export interface CursorPageMeta extends Omit<PageMeta, 'page'> { page: number | null, next_cursor: string | null }

/**
 * Answers one page of a list that can also be read by keyset cursor (posts), as `listPage` does
 * for a numbered page; a cursor page (`page` null) links only to the next cursor, if any.
 */
export function cursorListPage<T> (reply: HeaderSink, requestUrl: string, page: { page: number | null, perPage: number, total: number, nextCursor: string | null }, data: T[]): { data: T[], meta: CursorPageMeta } {
  const meta = { ...pageMeta(page.page ?? 1, page.perPage, page.total), page: page.page, next_cursor: page.nextCursor }
  reply.header('x-total-count', String(meta.total))
  const { page: at, nextCursor } = page
  if (at !== null) reply.header('link', remembered(`${at} ${meta.total_pages} ${requestUrl}`, () => pageLinks(PARSE_BASE, requestUrl, at, meta.total_pages)))
  else if (nextCursor !== null) reply.header('link', remembered(`c ${nextCursor} ${requestUrl}`, () => cursorLink(PARSE_BASE, requestUrl, nextCursor)))
  return { data, meta }
}

/**
 * Builds `Link` with first/prev/next/last from the request URL, changing only `page`. Targets
 * are relative (path and query): `baseUrl` only lets the request URL be parsed and never
 * appears in the header.
 */
export function pageLinks (baseUrl: string, requestUrl: string, page: number, totalPages: number): string {
  // The query is serialized once around where `page` goes (as URLSearchParams.set puts it: in
  // place of the first `page`, the others dropped, or last), not once per link.
  const url = new URL(requestUrl, baseUrl)
  const params = [...url.searchParams].filter(([name]) => name !== 'cursor')
  const first = params.findIndex(([name]) => name === 'page')
  const before = new URLSearchParams(first === -1 ? params : params.slice(0, first)).toString()
  const after = first === -1 ? '' : new URLSearchParams(params.slice(first + 1).filter(([name]) => name !== 'page')).toString()
  const prefix = `<${url.pathname}?${before === '' ? '' : `${before}&`}page=`
  const suffix = `${after === '' ? '' : `&${after}`}>`
  const at = (p: number) => `${prefix}${p}${suffix}`
  const links: string[] = []
  const last = Math.max(totalPages, 1)
  links.push(`${at(1)}; rel="first"`)
  if (page > 1) links.push(`${at(Math.min(page - 1, last))}; rel="prev"`)
  if (page < totalPages) links.push(`${at(page + 1)}; rel="next"`)
  links.push(`${at(last)}; rel="last"`)
  return links.join(', ')
}

/** A Link header pointing at the next cursor page. */
export function cursorLink (baseUrl: string, requestUrl: string, nextCursor: string): string {
  const url = new URL(requestUrl, baseUrl)
  url.searchParams.delete('page')
  url.searchParams.set('cursor', nextCursor)
  return `<${url.pathname}${url.search}>; rel="next"`
}
