// What a key's scopes allow, as pure functions of the scope set: the auth plugin checks routes
// with them, and modules read them from `request.auth` without depending on the plugin.

/** Whether a key's scopes grant `scope`; `admin` grants every scope. `undefined` is no key. */
export function grantsScope (scopes: ReadonlySet<string> | undefined, scope: string): boolean {
  return scopes !== undefined && (scopes.has(scope) || scopes.has('admin'))
}

/**
 * Which categories, tags and authors a reader may see: all of them for a key that may write or
 * read drafts (it files posts under them, and a taken slug is a 409 to it anyway), else only
 * those with a live post (db/term-visibility.ts).
 */
export function termScopeFor (scopes: ReadonlySet<string> | undefined): 'public' | 'all' {
  return TERM_SCOPES_SEEING_ALL.some((scope) => grantsScope(scopes, scope)) ? 'all' : 'public'
}

/** The scopes that see every category, tag and author (termScopeFor); the spec names them. */
export const TERM_SCOPES_SEEING_ALL = ['read:drafts', 'write:content'] as const
