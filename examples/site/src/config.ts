/** The example site's settings, from the environment (all optional). */
export interface SiteConfig {
  /** Where the site reads the API from (server side). */
  apiUrl: string
  /** The API's address as browsers reach it: the comment form posts there. */
  publicApiUrl: string
  host: string
  port: number
}

/**
 * Reads API_URL (http://127.0.0.1:3000), PUBLIC_API_URL (API_URL), SITE_HOST (127.0.0.1) and
 * SITE_PORT (3001); a bad value stops the start with a message naming it.
 */
export function loadSiteConfig (env: Record<string, string | undefined>): SiteConfig {
  const problems: string[] = []
  const url = (name: string, fallback: string): string => {
    const value = env[name]?.trim() || fallback
    if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value)) problems.push(`${name}=${JSON.stringify(value)} is invalid: expected an absolute http(s) URL without query`)
    return value.replace(/\/+$/, '')
  }
  const apiUrl = url('API_URL', 'http://127.0.0.1:3000')
  const publicApiUrl = url('PUBLIC_API_URL', apiUrl)
  const portText = env.SITE_PORT?.trim() || '3001'
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port > 65535) problems.push(`SITE_PORT=${JSON.stringify(portText)} is invalid: expected an integer 0–65535`)
  const host = env.SITE_HOST?.trim() || '127.0.0.1'
  if (problems.length > 0) throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`)
  return { apiUrl, publicApiUrl, host, port }
}
