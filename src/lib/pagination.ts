/** Page arithmetic and the RFC 8288 Link header of a paginated list. */
export function pageMeta (page: number, perPage: number, total: number) {
  return { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) }
}

/**
 * Builds `Link` with first/prev/next/last from the request URL, changing only `page`. Targets
 * are relative (path and query): `baseUrl` only lets the request URL be parsed and never
 * appears in the header.
 */
export function pageLinks (baseUrl: string, requestUrl: string, page: number, totalPages: number): string {
  const url = new URL(requestUrl, baseUrl)
  url.searchParams.delete('cursor')
  const at = (p: number) => {
    url.searchParams.set('page', String(p))
    return `<${url.pathname}${url.search}>`
  }
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
