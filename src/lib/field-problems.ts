import type { FastifyError } from 'fastify'

/** One field at fault in a 400/422 answer: where it was (body, query, params), its path, what is wrong. */
export interface FieldProblem { in: string, path: string, message: string }

export function validationProblems (error: FastifyError): FieldProblem[] {
  const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body')
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
    } else if (Array.isArray(params?.allowedValues)) {
      message = `must be one of: ${params.allowedValues.join(', ')}`
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
