import type { FastifyError } from 'fastify'

/** One field at fault in a 400/422 answer: where it was (body, query, params), its path, what is wrong. */
export interface FieldProblem { in: string, path: string, message: string }

// What other APIs call our query parameters (WordPress REST, Ghost, Strapi, JSON:API habits): an
// unknown one of these names ours in the error when the route has it.
const PEER_NAMES = new Map<string, string[]>(Object.entries({
  limit: ['per_page'],
  // related posts take limit where lists take per_page
  per_page: ['limit'],
  count: ['per_page', 'limit'],
  page_size: ['per_page'],
  pagesize: ['per_page'],
  offset: ['cursor', 'page'],
  search: ['q'],
  s: ['q'],
  query: ['q'],
  orderby: ['sort'],
  order_by: ['sort'],
  order: ['sort'],
  categories: ['category'],
  tags: ['tag'],
  authors: ['author'],
  author_id: ['author'],
  after: ['published_after', 'since'],
  before: ['published_before'],
  _fields: ['fields'],
  filter: ['category', 'tag', 'author', 'status']
}))

function editDistanceAtMost2 (a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    if (Math.min(...row) > 2) return false
    prev = row
  }
  return prev[b.length] <= 2
}

/** The route's parameters an unknown one probably meant: a peer API's name for it, or a near typo. */
export function suggestParameter (unknown: string, known: readonly string[]): string[] {
  const name = unknown.toLowerCase()
  // A Map, not an object: `__proto__` and `constructor` are parameter names a client may send.
  const peers = (PEER_NAMES.get(name) ?? []).filter((k) => known.includes(k))
  if (peers.length > 0) return peers
  const exact = known.find((k) => k.toLowerCase() === name)
  if (exact !== undefined) return [exact]
  if (name.length < 4 || name.length > 40) return []
  return known.filter((k) => k.length >= 4 && editDistanceAtMost2(name, k)).slice(0, 3)
}

/**
 * The fields at fault in a validation error. `knownQuery` (the route's query parameter names) lets
 * an unknown parameter's message name the one it probably meant ("limit" → "per_page").
 */
export function validationProblems (error: FastifyError, knownQuery: readonly string[] = []): FieldProblem[] {
  const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body')
  // A union of literals (`sort`, `status`, …) fails once per branch with "must be equal to
  // constant": gather each path's allowed values so the message names them all.
  const constants = new Map<string, unknown[]>()
  for (const v of error.validation ?? []) {
    const allowed = (v.params as Record<string, unknown> | undefined)?.allowedValue
    if (v.keyword !== 'const' || allowed === undefined) continue
    const list = constants.get(v.instancePath ?? '') ?? []
    if (!list.includes(allowed)) list.push(allowed)
    constants.set(v.instancePath ?? '', list)
  }
  // An `if` failure only says its `then` failed, and that failure is reported on its own.
  return (error.validation ?? []).filter((v) => v.keyword !== 'if').map((v) => {
    const params = v.params as Record<string, unknown>
    let path = String(v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
    let message = v.message ?? 'is invalid'
    if (typeof params?.missingProperty === 'string') {
      path = path ? `${path}.${params.missingProperty}` : params.missingProperty
      message = 'is required'
    } else if (typeof params?.additionalProperty === 'string') {
      path = path ? `${path}.${params.additionalProperty}` : params.additionalProperty
      message = where === 'query' ? 'is not a known parameter' : 'is not a known field'
      const hints = where === 'query' && path === params.additionalProperty ? suggestParameter(path, knownQuery) : []
      if (hints.length > 0) message += `; did you mean ${hints.join(' or ')}?`
    } else if (Array.isArray(params?.allowedValues)) {
      message = `must be one of: ${params.allowedValues.join(', ')}`
    } else if (v.keyword === 'const' && constants.has(v.instancePath ?? '')) {
      const allowed = constants.get(v.instancePath ?? '') ?? []
      message = allowed.length === 1 ? `must be ${String(allowed[0])}` : `must be one of: ${allowed.map(String).join(', ')}`
    }
    return { in: where, path: path || where, message }
  })
}

// ajv reports one error per union branch; keep the first message per path so a bad
// value is named once.
export function dedupe (problems: FieldProblem[]): FieldProblem[] {
  const seen = new Map<string, FieldProblem>()
  for (const p of problems) {
    const key = `${p.in}:${p.path}`
    if (!seen.has(key)) seen.set(key, p)
  }
  return [...seen.values()]
}
