// If-Match (RFC 9110 §13.1.1) for optimistic concurrency: a write proceeds only when the
// client's copy is the current one. Pure, so the rules are tested without HTTP.

/** The header as the edit operations accept it: `*`, or a list of entity tags (weak ones parse but never match). */
export const IF_MATCH_PATTERN = '^\\s*(\\*|(W/)?"[\\x21\\x23-\\x7E\\x80-\\xFF]*"(\\s*,\\s*(W/)?"[\\x21\\x23-\\x7E\\x80-\\xFF]*")*)\\s*$'
const IF_MATCH = new RegExp(IF_MATCH_PATTERN)
const TAG = /(W\/)?"([^"]*)"/g

/**
 * Whether `header` lets a write to a resource whose current strong entity tag is `current`
 * proceed: `*` matches any existing resource; otherwise one tag of the list must be equal to it
 * by the strong comparison (§8.8.3.2), which a weak tag (`W/"…"`) never passes, since the
 * client asks that nothing at all has changed. A malformed header matches nothing (the routes
 * refuse it with a 400 before this is asked).
 */
export function ifMatchPasses (header: string, current: string): boolean {
  if (!IF_MATCH.test(header)) return false
  if (header.trim() === '*') return true
  for (const m of header.matchAll(TAG)) {
    if (m[1] === undefined && `"${m[2]}"` === current) return true
  }
  return false
}

/** Whether the header names only weak tags (the 412 then says why they never match). */
export function onlyWeakTags (header: string): boolean {
  const tags = [...header.matchAll(TAG)]
  return tags.length > 0 && tags.every((m) => m[1] !== undefined)
}
