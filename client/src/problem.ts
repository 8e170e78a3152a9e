import type { components } from './schema.js'

/** The RFC 9457 problem body every Broadsheet error answers with (application/problem+json). */
export type Problem = components['schemas']['Problem']

/** One bad field or parameter of a 400 answer. */
export type ProblemFieldError = NonNullable<Problem['errors']>[number]

/**
 * An answer that was not a success, as an Error: the API's problem details (status, code,
 * detail, errors[] for validation failures) plus the Response, for its headers (Retry-After
 * on a 429, WWW-Authenticate on a 401).
 */
export class BroadsheetProblem extends Error {
  /** HTTP status of the answer. */
  readonly status: number
  /** URI of the problem type. */
  readonly type: string
  /** Short summary of the problem type ("Not Found"). */
  readonly title: string
  /** Stable machine-readable code ("NOT_FOUND", "VALIDATION_FAILED"), when the API sent one. */
  readonly code: string | undefined
  /** What went wrong in this occurrence. */
  readonly detail: string
  /** Each bad field or parameter (400 answers); empty otherwise. */
  readonly errors: ProblemFieldError[]
  /** The request id the API logged this answer under. */
  readonly requestId: string | undefined
  /** The whole problem body as sent (or as made from a non-problem error answer). */
  readonly problem: Problem
  readonly response: Response

  constructor (problem: Problem, response: Response) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`)
    this.name = 'BroadsheetProblem'
    this.status = problem.status
    this.type = problem.type
    this.title = problem.title
    this.code = problem.code
    this.detail = problem.detail
    this.errors = problem.errors ?? []
    this.requestId = problem.request_id
    this.problem = problem
    this.response = response
  }

  /** Seconds to wait before retrying, from Retry-After (429 and 503 answers). */
  get retryAfter (): number | undefined {
    const value = this.response.headers.get('retry-after')
    if (value === null) return undefined
    const seconds = Number(value)
    if (Number.isFinite(seconds)) return seconds
    const date = Date.parse(value)
    return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000))
  }

  /**
   * The problem of an error answer: the body itself when it is a problem document, else one
   * made from the status (a proxy's HTML 502, an empty 304 without an ETag cache).
   */
  static from (body: unknown, response: Response): BroadsheetProblem {
    if (isProblemBody(body)) return new BroadsheetProblem(body, response)
    const text = typeof body === 'string' ? body.trim().slice(0, 500) : ''
    return new BroadsheetProblem({
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: text || `The API answered ${response.status} without a problem document`
    }, response)
  }
}

/** True for a BroadsheetProblem, also one from another copy of this package. */
export function isBroadsheetProblem (err: unknown): err is BroadsheetProblem {
  return err instanceof BroadsheetProblem || (err instanceof Error && err.name === 'BroadsheetProblem' && typeof (err as { status?: unknown }).status === 'number')
}

function isProblemBody (body: unknown): body is Problem {
  if (body === null || typeof body !== 'object') return false
  const b = body as Record<string, unknown>
  return typeof b.status === 'number' && typeof b.title === 'string' && typeof b.detail === 'string' && typeof b.type === 'string'
}
