import { Ajv, type Options } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySchemaCompiler, FastifySchemaValidationError, FastifyServerOptions } from 'fastify'

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
type AddFormats = (ajv: Ajv) => Ajv
const addFormats: AddFormats = (formatsPlugin as unknown as { default?: AddFormats }).default ?? (formatsPlugin as unknown as AddFormats)

/** The routes whose schemas are compiled after start (createSchemaWarmup): the newsroom's writes (posts, comments and their moderation). */
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const warmed = (method: string | string[], url: string) => (typeof method === 'string' ? WRITES.has(method) : method.some((m) => WRITES.has(m))) && (url.startsWith('/v1/posts') || url.startsWith('/v1/comments'))

const BASE: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false }

type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null }

/**
 * Request validation with two Ajv instances: query strings, params and headers are text and
 * are coerced to the declared types ('2' → 2); JSON bodies are checked as sent, so
 * `"title": 5` is a 400, not silently "5". All errors are reported at once. Each validator is
 * compiled on its route's first request, which keeps start-up fast.
 */
export function createValidatorCompiler (warmup?: SchemaWarmup): FastifySchemaCompiler<unknown> {
  const loose = new Ajv({ ...BASE, coerceTypes: 'array' })
  const strict = new Ajv({ ...BASE, coerceTypes: false })
  for (const ajv of [loose, strict]) addFormats(ajv)
  return ({ schema, httpPart, method, url }) => {
    const ajv = httpPart === 'body' ? strict : loose
    let compiled: Validate | undefined
    const validate: Validate = (data) => {
      compiled ??= ajv.compile(schema as object) as Validate
      const ok = compiled(data)
      validate.errors = compiled.errors
      if (httpPart !== 'body') return ok
      // Both engines keep the same content: PostgreSQL text cannot hold U+0000, so no body may
      // carry it (refused here, with the other validation errors, on SQLite too).
      const nul = nulPaths(data, '', [])
      if (nul.length === 0) return ok
      validate.errors = [...(compiled.errors ?? []), ...nul.map((instancePath) => nulError(instancePath))]
      return false
    }
    // The writes of posts and comments: the first of each kind after start compiled its
    // schemas (0.4–0.56 s of the first post create or edit); reads are warm after their first
    // few requests, and the other writes are rare.
    if (warmed(method, url)) warmup?.add(httpPart === 'body' ? 0 : 1, () => { compiled ??= ajv.compile(schema as object) as Validate })
    return validate
  }
}

/**
 * The JSON pointers of the strings (values and object keys) in a parsed body that hold U+0000:
 * at most 20, at most 64 levels deep (no schema of ours nests deeper; a hostile body nested
 * deeper is refused by its schema, never walked to a stack overflow).
 */
function nulPaths (value: unknown, at: string, found: string[], depth = 0): string[] {
  if (found.length >= 20 || depth > 64) return found
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(at)
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) nulPaths(value[i], `${at}/${i}`, found, depth + 1)
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const path = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
      if (key.includes('\u0000')) found.push(path)
      else nulPaths(v, path, found, depth + 1)
    }
  }
  return found
}

function nulError (instancePath: string): FastifySchemaValidationError {
  return { keyword: 'nul', instancePath, schemaPath: '#/nul', params: {}, message: 'must not contain the NUL character (U+0000)' }
}

/**
 * The compilers of every encapsulation context: the validators above, and Fastify's own
 * response serializer (fast-json-stringify) built for each route and status on first use
 * instead of at start-up (most error responses are never sent by most routes).
 *
 * The validators are given as the factory, not with `setValidatorCompiler`: a schema added
 * after a plugin's routes (a module's plugin adding its $id'd schemas) makes Fastify rebuild
 * those routes' validators from the factory, which would otherwise be its default Ajv (first
 * error only, coercing bodies).
 */
export function createSchemaController (warmup?: SchemaWarmup): FastifyServerOptions['schemaController'] {
  const validatorCompiler = createValidatorCompiler(warmup)
  return {
    compilersFactory: {
      // Typed after Fastify's own Ajv compiler; any FastifySchemaCompiler is what it calls.
      buildValidator: () => validatorCompiler as never,
      buildSerializer (externalSchemas: unknown, options: unknown) {
        const build = SerializerSelector()(externalSchemas as never, options as never)
        return (route: Parameters<typeof build>[0]) => {
          let serialize: ((data: unknown) => string) | undefined
          // The success responses of those writes are warmed; the rest stay compiled on first use.
          if (warmed(route.method, route.url) && String(route.httpStatus).startsWith('2')) warmup?.add(1, () => { serialize ??= build(route) as (data: unknown) => string })
          return (data: unknown) => (serialize ??= build(route) as (data: unknown) => string)(data)
        }
      }
    }
  }
}

/** Between warm-up slices: requests that arrived meanwhile go first. */
const WARMUP_GAP_MS = 5

/**
 * Compiles, after start, what the writes of posts and comments would compile on their first
 * request (body validators first, then params and query validators and success-response
 * serializers); every route's schemas would be ~300, 2 s of CPU and ~25 MB of heap, measured,
 * so the others stay compiled on first use. One slice of at most `sliceMs` at a time with a pause between: start-up to ready stays as
 * fast as with lazy compiling, and the first write of each kind no longer pays for it.
 * Compiling stays lazy too: a request that comes first compiles its own, and the warm-up then
 * finds it done.
 */
export function createSchemaWarmup () {
  let queue: Array<{ rank: number, compile: () => void }> = []
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  let compiled = 0
  let ms = 0
  function slice (sliceMs: number): void {
    timer = null
    const start = performance.now()
    while (queue.length > 0) {
      const next = queue.shift()!
      try {
        next.compile()
      } catch {
        // Its first request compiles it again and reports what is wrong, as without warm-up.
      }
      compiled++
      if (performance.now() - start >= sliceMs) break
    }
    ms += performance.now() - start
    if (queue.length > 0 && !stopped) {
      timer = setTimeout(() => { slice(sliceMs) }, WARMUP_GAP_MS)
      timer.unref()
    }
  }
  return {
    add (rank: number, compile: () => void): void {
      if (!stopped) queue.push({ rank, compile })
    },
    /** Starts after `delayMs`; each slice compiles for at most `sliceMs` (at least one schema). */
    start (delayMs: number, sliceMs = 10): void {
      if (stopped || timer !== null) return
      queue.sort((a, b) => a.rank - b.rank)
      timer = setTimeout(() => { slice(sliceMs) }, delayMs)
      timer.unref()
    },
    stop (): void {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      queue = []
    },
    /** Compiled so far, left, and the time spent (tests, diagnostics). */
    status: () => ({ compiled, pending: queue.length, ms: Math.round(ms) })
  }
}
export type SchemaWarmup = ReturnType<typeof createSchemaWarmup>
