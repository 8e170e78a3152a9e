// Query parameters a route ignores rather than refuses: feed readers, proxies and crawlers add
// their own (`utm_source`, `fbclid`, cache busters) to feed and sitemap URLs.

const known = new WeakMap<object, ReadonlySet<string>>()
const NONE: ReadonlySet<string> = new Set()

/** The parameters a querystring schema declares (none without a schema), remembered per schema. */
export function knownParams (schema: unknown): ReadonlySet<string> {
  if (schema === null || typeof schema !== 'object') return NONE
  let set = known.get(schema)
  if (set === undefined) {
    const properties = (schema as { properties?: Record<string, unknown> }).properties
    set = new Set(properties === undefined ? [] : Object.keys(properties))
    known.set(schema, set)
  }
  return set
}

/** Deletes from a parsed query every parameter not in `keep`. */
export function dropUnknownParams (query: unknown, keep: ReadonlySet<string>): void {
  if (query === null || typeof query !== 'object') return
  for (const name of Object.keys(query)) {
    if (!keep.has(name)) delete (query as Record<string, unknown>)[name]
  }
}

/**
 * The request URL with only the parameters in `keep`, in the order and spelling they were sent
 * (`/feeds/rss.xml?utm_source=x&limit=5` → `/feeds/rss.xml?limit=5`; none left → no `?`): two
 * URLs that differ only by ignored parameters give the same text, the response cache's key.
 */
export function urlWithoutUnknownParams (url: string, keep: ReadonlySet<string>): string {
  const mark = url.indexOf('?')
  if (mark === -1) return url
  const kept = url.slice(mark + 1).split('&').filter((pair) => {
    if (pair === '') return false
    const eq = pair.indexOf('=')
    const raw = eq === -1 ? pair : pair.slice(0, eq)
    let name: string
    try {
      name = decodeURIComponent(raw.replace(/\+/g, ' '))
    } catch {
      return false
    }
    return keep.has(name)
  })
  return kept.length === 0 ? url.slice(0, mark) : `${url.slice(0, mark)}?${kept.join('&')}`
}
