/** The longest `Prefer: wait` honoured, in seconds: a client that wants longer polls. */
export const MAX_PREFER_WAIT = 60

/**
 * The `wait` preference of a `Prefer` header (RFC 7240 §4.3) in seconds, at most
 * MAX_PREFER_WAIT; null when absent or not a number of seconds (an unusable preference is
 * ignored, as the RFC asks). Other preferences and parameters are skipped.
 */
export function preferredWait (header: string | string[] | undefined): number | null {
  const text = Array.isArray(header) ? header.join(',') : header
  if (text === undefined) return null
  for (const preference of text.split(',')) {
    const [token, ...value] = preference.split(';')[0].split('=')
    if (token.trim().toLowerCase() !== 'wait' || value.length !== 1) continue
    const seconds = value[0].trim().replace(/^"(.*)"$/, '$1')
    if (/^\d{1,9}$/.test(seconds)) return Math.min(Number(seconds), MAX_PREFER_WAIT)
  }
  return null
}
