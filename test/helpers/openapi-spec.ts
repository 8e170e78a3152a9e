import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { ValidateFunction } from 'ajv'

// An independent reading of openapi/openapi.json: operations, parameters and response
// schemas, checked with their own Ajv (draft 2020-12, as OpenAPI 3.1 uses) rather than
// Fastify's serializer, so a schema the serializer silently coerces to still fails here.

export const OPENAPI_FILE = new URL('../../openapi/openapi.json', import.meta.url)

export type JsonSchema = Record<string, unknown>

export interface Parameter {
  name: string
  in: 'query' | 'path' | 'header'
  required?: boolean
  schema: JsonSchema
  example?: unknown
}

export interface Operation {
  id: string
  method: string
  path: string
  parameters: Parameter[]
  /** Request body content types and their schemas. */
  body: Record<string, JsonSchema> | null
  bodyRequired: boolean
  secured: boolean
  /** status → content type → schema (an empty object for a response without content). */
  responses: Record<string, Record<string, JsonSchema>>
  pointer: string
}

export interface Spec {
  paths: Record<string, Record<string, Record<string, unknown>>>
  components: { schemas: Record<string, JsonSchema> }
  tags?: Array<{ name: string }>
}

/** Reads the committed OpenAPI document. */
export function loadSpec (): Spec {
  return JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Spec
}

function escapePointer (segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** Every operation of the document, in document order. */
export function operationsOf (spec: Spec): Operation[] {
  const ops: Operation[] = []
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const op = raw as {
        operationId: string
        parameters?: Parameter[]
        requestBody?: { required?: boolean, content: Record<string, { schema: JsonSchema }> }
        security?: Array<Record<string, unknown>>
        responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>
      }
      const responses: Operation['responses'] = {}
      for (const [status, response] of Object.entries(op.responses)) {
        responses[status] = {}
        for (const [type, media] of Object.entries(response.content ?? {})) responses[status][type] = media.schema ?? {}
      }
      let body: Operation['body'] = null
      if (op.requestBody) {
        body = {}
        for (const [type, media] of Object.entries(op.requestBody.content)) body[type] = media.schema ?? {}
      }
      ops.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body,
        bodyRequired: op.requestBody?.required === true,
        // An operation whose security list includes {} works without a key too.
        secured: Array.isArray(op.security) && op.security.length > 0 && !op.security.some((s) => Object.keys(s).length === 0),
        responses,
        pointer: `#/paths/${escapePointer(path)}/${method}`
      })
    }
  }
  return ops
}

export interface ResponseLike {
  statusCode: number
  headers: Record<string, unknown>
  body: string
}

export interface SpecValidator {
  /** What is wrong with a response according to the document; empty when it conforms. */
  check: (op: Operation, res: ResponseLike) => string[]
  /** What is wrong with a response as an application/problem+json Problem; empty when it is one. */
  checkProblem: (res: ResponseLike) => string[]
  /** Follows a `$ref` to a component schema. */
  resolve: (schema: JsonSchema) => JsonSchema
}

function mediaType (header: unknown): string {
  return String(header ?? '').split(';')[0].trim().toLowerCase()
}

function isJsonType (type: string): boolean {
  return type === 'application/json' || type.endsWith('+json')
}

/**
 * Builds a validator that checks status, content type and body of a response against
 * the schema the document gives for that operation, status and content type.
 */
export function createSpecValidator (spec: Spec): SpecValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  // ajv-formats is CommonJS: its default export arrives wrapped or not depending on the loader.
  const formats = addFormats as unknown as ((ajv: Ajv2020) => unknown) & { default?: (ajv: Ajv2020) => unknown }
  const applyFormats = formats.default ?? formats
  applyFormats(ajv)
  // The whole document is one schema resource, so `#/components/schemas/...` resolves
  // exactly as it does in the spec.
  ajv.addSchema({ ...spec, $id: 'https://broadsheet.test/openapi.json' } as JsonSchema)
  const compiled = new Map<string, ValidateFunction>()

  function validatorFor (op: Operation, status: string, type: string): ValidateFunction {
    const key = `${op.pointer}/responses/${status}/content/${type}`
    let fn = compiled.get(key)
    if (fn === undefined) {
      const ref = `https://broadsheet.test/openapi.json${op.pointer}/responses/${status}/content/${escapePointer(type)}/schema`
      fn = ajv.compile({ $ref: ref })
      compiled.set(key, fn)
    }
    return fn
  }

  function resolve (schema: JsonSchema): JsonSchema {
    const ref = schema.$ref
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      return resolve(spec.components.schemas[ref.slice('#/components/schemas/'.length)])
    }
    return schema
  }

  function check (op: Operation, res: ResponseLike): string[] {
    const status = String(res.statusCode)
    const documented = op.responses[status]
    if (documented === undefined) return [`status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`]
    const types = Object.keys(documented)
    if (types.length === 0) return res.body.length === 0 || res.statusCode === 303 ? [] : [`status ${status} documents no content but the body is ${JSON.stringify(res.body.slice(0, 120))}`]
    const type = mediaType(res.headers['content-type'])
    if (!types.includes(type)) return [`content type "${type}" is not documented for ${status} (documented: ${types.join(', ')})`]
    const schema = resolve(documented[type])
    let value: unknown = res.body
    // Feeds document their body as a string of the document; JSON is parsed only where the
    // schema describes the structure.
    if (isJsonType(type) && schema.type !== 'string') {
      try {
        value = JSON.parse(res.body)
      } catch {
        return [`body is not JSON: ${JSON.stringify(res.body.slice(0, 120))}`]
      }
    }
    const validate = validatorFor(op, status, type)
    if (validate(value)) return []
    return (validate.errors ?? []).slice(0, 5).map((e) => `body${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`)
  }

  const problem = ajv.compile({ $ref: 'https://broadsheet.test/openapi.json#/components/schemas/Problem' })
  function checkProblem (res: ResponseLike): string[] {
    const type = mediaType(res.headers['content-type'])
    if (type !== 'application/problem+json') return [`content type "${type}" is not application/problem+json`]
    let value: unknown
    try {
      value = JSON.parse(res.body)
    } catch {
      return [`body is not JSON: ${JSON.stringify(res.body.slice(0, 120))}`]
    }
    if (problem(value)) return (value as { status: unknown }).status === res.statusCode ? [] : ['problem status differs from the HTTP status']
    return (problem.errors ?? []).slice(0, 5).map((e) => `body${e.instancePath} ${e.message ?? 'is invalid'}`)
  }

  return { check, checkProblem, resolve }
}
