// Old addresses of imported posts, reduced to the form a redirect lookup compares: a frontend
// asks with the path it was requested at (`/2019/05/geneva-talks/`, maybe `/2019/05/geneva-talks`
// or percent-encoded differently), the old site's URL may carry another scheme or host.

/**
 * The lookup path of a URL or path: percent-escapes decoded, no trailing slash (but "/" itself),
 * the query dropped except WordPress's plain permalinks (`/?p=123`, `/?page_id=7`); null when
 * it is no URL at all.
 */
export function legacyPath (value: string): string | null {
  const text = value.trim()
  if (text === '' || text.length > 2000) return null
  let url: URL
  try {
    url = new URL(text, 'http://legacy.invalid')
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  let path = url.pathname
  try {
    path = decodeURIComponent(path)
  } catch {
    // A stray % stays as it is.
  }
  if (path.length > 1) path = path.replace(/\/+$/, '') || '/'
  for (const key of ['p', 'page_id']) {
    const id = url.searchParams.get(key)
    if (id !== null && /^\d{1,18}$/.test(id)) return `${path}?${key}=${id}`
  }
  return path
}
