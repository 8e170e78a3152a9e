/** Whether an authenticated request carries a scope; `admin` carries every scope. */
export function hasScope (request: { auth: { scopes: ReadonlySet<string> } | null }, scope: string): boolean {
  const scopes = request.auth?.scopes
  return scopes !== undefined && (scopes.has(scope) || scopes.has('admin'))
}
