import createError from '@fastify/error'

/** A body that is not a readable export or feed at all (nothing could be imported). */
export const UnreadableImport = createError<[string]>('UNREADABLE_IMPORT', '%s', 422)
/** A streamed body that grew past the route's limit. */
export const BodyTooLarge = createError<[string]>('BODY_TOO_LARGE', '%s', 413)
/** A body of a type the route does not read (JSON on the WXR route, say). */
export const UnsupportedImportType = createError<[string]>('UNSUPPORTED_MEDIA_TYPE', '%s', 415)
/** A job that has already ended cannot be cancelled. */
export const ImportFinished = createError<[string]>('IMPORT_FINISHED', '%s', 409)
