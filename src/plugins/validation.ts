import { Ajv, type Options } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySchemaCompiler, FastifySchemaValidationError, FastifyServerOptions } from 'fastify'

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
type AddFormats = (ajv: Ajv) => Ajv
const addFormats: AddFormats = (formatsPlugin as unknown as { default?: AddFormats }).default ?? (formatsPlugin as unknown as AddFormats)

const BASE: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false }

type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null }

/**
 * Request validation with two Ajv instances: query strings, params and headers are text and
 * are coerced to the declared types ('2' → 2); JSON bodies are checked as sent, so
 * `"title": 5` is a 400, not silently "5". All errors are reported at once. Each validator is
 * compiled on its route's first request, which keeps start-up fast.
 */
export function createValidatorCompiler (): FastifySchemaCompiler<unknown> {
  const loose = new Ajv({ ...BASE, coerceTypes: 'array' })
  const strict = new Ajv({ ...BASE, coerceTypes: false })
  for (const ajv of [loose, strict]) addFormats(ajv)
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : loose
    let compiled: Validate | undefined
    const validate: Validate = (data) => {
      compiled ??= ajv.compile(schema as object) as Validate
      const ok = compiled(data)
      validate.errors = compiled.errors
      return ok
    }
    return validate
  }
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
export function createSchemaController (): FastifyServerOptions['schemaController'] {
  const validatorCompiler = createValidatorCompiler()
  return {
    compilersFactory: {
      // Typed after Fastify's own Ajv compiler; any FastifySchemaCompiler is what it calls.
      buildValidator: () => validatorCompiler as never,
      buildSerializer (externalSchemas: unknown, options: unknown) {
        const build = SerializerSelector()(externalSchemas as never, options as never)
        return (route: Parameters<typeof build>[0]) => {
          let serialize: ((data: unknown) => string) | undefined
          return (data: unknown) => (serialize ??= build(route) as (data: unknown) => string)(data)
        }
      }
    }
  }
}
