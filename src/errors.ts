import createError from '@fastify/error'

// The error catalogue: every error a handler or repository throws on purpose, each with its
// HTTP status. The problem-details plugin turns them into RFC 9457 bodies whose `type` is
// PROBLEM_BASE + the kebab-case code, and `code` the constant below.

export const PROBLEM_BASE = 'https://broadsheet.dev/problems/'

export const NotFound = createError<[string, string]>('NOT_FOUND', '%s %s not found', 404)
/** Any preview token that does not open a post (unknown, expired, revoked or malformed): one answer, so none is told apart. */
export const PreviewNotFound = createError('PREVIEW_NOT_FOUND', 'This preview link does not exist, has expired or was revoked', 404)
export const RouteNotFound = createError<[string, string]>('ROUTE_NOT_FOUND', 'No route %s %s', 404)
export const InvalidCursor = createError('INVALID_CURSOR', 'The cursor is not valid: pass back meta.next_cursor unchanged', 400)
export const Unauthorized = createError<[string]>('UNAUTHORIZED', '%s', 401)
export const Forbidden = createError<[string]>('FORBIDDEN', '%s', 403)
export const CommentsClosed = createError('COMMENTS_CLOSED', 'Comments are closed on this post', 403)
export const SlugConflict = createError<[string, string]>('SLUG_CONFLICT', 'A %s with slug "%s" already exists', 409)
export const InUse = createError<[string]>('IN_USE', '%s', 409)
export const RateLimited = createError<[number, number]>('RATE_LIMITED', 'Too many comments from this client: at most %s per minute; retry in %s seconds', 429)
export const DuplicateComment = createError('DUPLICATE_COMMENT', 'This comment was already posted', 409)
export const DeliveryPending = createError<[string]>('DELIVERY_PENDING', 'Delivery %s is still pending; it is tried again at next_attempt_at', 409)
export const Unprocessable = createError<[string]>('UNPROCESSABLE', '%s', 422)
export const TargetRefused = createError<[string]>('TARGET_REFUSED', '%s', 422)
/** Deliberate 503s (load shedding, shutting down, database not ready): answered, never logged as faults. */
export const ServiceUnavailable = createError<[string]>('SERVICE_UNAVAILABLE', '%s', 503)

/** A 4xx or 503 that sets response headers too (WWW-Authenticate, Retry-After, Accept). */
export function withHeaders<E extends Error> (error: E, headers: Record<string, string>): E & { headers: Record<string, string> } {
  return Object.assign(error, { headers })
}

/**
 * A body of a media type the operation does not read. The problem lists the types it does
 * (`accepted`) and so does the `Accept` header, as RFC 9110 §15.5.16 suggests.
 */
export class UnsupportedMediaType extends Error {
  readonly statusCode = 415
  readonly code = 'UNSUPPORTED_MEDIA_TYPE'
  readonly headers: Record<string, string>
  /** `received`: the media type sent, null for a malformed Content-Type, undefined for none. */
  constructor (public readonly accepted: string[], received: string | null | undefined) {
    const what = received === undefined ? 'A body without Content-Type' : received === null ? 'A malformed Content-Type' : `Content-Type ${received}`
    super(`${what} is not accepted here: send ${accepted.join(' or ')}`)
    this.headers = { accept: accepted.join(', ') }
  }
}
export const QueryTooBroad = createError('QUERY_TOO_BROAD', 'The query ran out of its time budget before finding anything to show: add words or filters, or continue from an earlier page\'s next_cursor', 422)

/** A 4xx error that names the fields at fault, rendered like a validation failure. */
export class FieldError extends Error {
  readonly statusCode: number
  readonly code = 'VALIDATION_FAILED'
  constructor (public readonly errors: Array<{ in: string, path: string, message: string }>, statusCode = 400) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '))
    this.statusCode = statusCode
  }
}

// Imports (WordPress exports and feeds, sent as bodies that are streamed to a file first).

/**
 * A body that is not a readable export or feed at all: nothing could be imported. The detail
 * is the reader's own account of what it found, kept on the failed job and answered again
 * to a request that waited for it, so it is one text.
 */
export const UnreadableImport = createError<[string]>('UNREADABLE_IMPORT', '%s', 422)
/** A streamed body that grew past its route's limit (what, the limit in bytes, the setting that sets it). */
export const BodyTooLarge = createError<[string, number, string]>('BODY_TOO_LARGE', '%s is larger than %s bytes (%s): nothing was imported', 413)
/** A streamed body whose client went away before it ended: only the log reads this answer. */
export const BodyCutOff = createError<[string]>('BODY_CUT_OFF', '%s was cut off before it ended: nothing was imported', 400)
/** A job that has already ended (succeeded or failed) has nothing left to cancel. */
/** Over a key's quota or the anonymous per-client limit: answered with Retry-After and RateLimit headers. */
export const QuotaExceeded = createError<[string]>('RATE_LIMITED', '%s', 429)

// Feed subscriptions.
export const SourceDisabled = createError<[number]>('SOURCE_DISABLED', 'Source %s is disabled: enable it (PATCH {"enabled": true}) to poll it', 409)
export const NotAFeed = createError<[string]>('NOT_A_FEED', '%s', 422)

export const ImportFinished = createError<[number, string]>('IMPORT_FINISHED', 'Import job %s has already %s: there is nothing to cancel', 409)

// The media library.

/** An uploaded file over MEDIA_MAX_BYTES: refused the moment it passes the limit, nothing stored. */
export const MediaTooLarge = createError<[number]>('MEDIA_TOO_LARGE', 'The file is larger than %s bytes (MEDIA_MAX_BYTES): nothing was stored', 413)

/**
 * An uploaded file whose bytes are not an accepted image type, whatever its name or declared type
 * said. Like a 415 for the request's own type, `accepted` lists what is taken.
 */
export class UnsupportedMediaFile extends Error {
  readonly statusCode = 415
  readonly code = 'UNSUPPORTED_MEDIA_FILE'
  constructor (public readonly accepted: string[], found: string | undefined) {
    super(`The file is ${found === undefined ? 'of no type recognised from its bytes' : found}, which is not accepted: upload ${accepted.join(', ')}`)
  }
}
/** An image that cannot be decoded, or is over MEDIA_MAX_PIXELS (a decompression bomb). */
export const UnreadableImage = createError<[string]>('UNREADABLE_IMAGE', '%s', 422)

// Optimistic concurrency (If-Match).

/**
 * An `If-Match` that names no current entity tag of the post or page: 412 on an edit (RFC 9110
 * §13.1.1), 409 on a revision restore (the contract). The problem names the current
 * ETag (`current_etag`, and the ETag header), so a client can read the resource again and
 * reapply its change.
 */
export class StaleEntityTag extends Error {
  readonly code: string
  readonly headers: Record<string, string>
  constructor (readonly statusCode: 409 | 412, what: string, sent: string, readonly currentEtag: string, weakOnly: boolean) {
    super(`If-Match ${sent.trim()} does not match the current ETag of ${what}, ${currentEtag}: ` +
      (weakOnly
        ? 'a weak tag (W/"…") never matches If-Match, which compares strongly; send the ETag as a read or write of it answered'
        : 'it changed since you read it; read it again and reapply your change'))
    this.code = statusCode === 412 ? 'PRECONDITION_FAILED' : 'EDIT_CONFLICT'
    this.headers = { etag: currentEtag }
  }
}
