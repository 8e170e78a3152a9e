import { Ajv, type Options } from 'ajv'
import formatsPlugin from 'ajv-formats'

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
type AddFormats = (ajv: Ajv) => Ajv
const addFormats: AddFormats = (formatsPlugin as unknown as { default?: AddFormats }).default ?? (formatsPlugin as unknown as AddFormats)
import type { FastifySchemaCompiler } from 'fastify'

const BASE: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false }

/**
 * Request validation with two Ajv instances: query strings, params and headers are text and
 * are coerced to the declared types ('2' → 2); JSON bodies are checked as sent, so
 * `"title": 5` is a 400, not silently "5". All errors are reported at once.
 */
export function createValidatorCompiler (): FastifySchemaCompiler<unknown> {
  const loose = new Ajv({ ...BASE, coerceTypes: 'array' })
  const strict = new Ajv({ ...BASE, coerceTypes: false })
  for (const ajv of [loose, strict]) {
    addFormats(ajv)
  }
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : loose
    return ajv.compile(schema as object)
  }
}
