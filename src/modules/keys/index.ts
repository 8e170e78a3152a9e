import fp from 'fastify-plugin'
import type { KeysRepository } from './keys-repository.js'
import keysRoutes from './keys-routes.js'
import { keySchemas } from './keys-schemas.js'

export interface KeysModuleOptions {
  repo: KeysRepository
  /** Where the routes live; /v1/keys unless told. */
  prefix?: string
}

/** The API keys module: its schemas, and its admin routes over the keys repository. */
export default fp<KeysModuleOptions>(async (app, opts) => {
  for (const schema of keySchemas) app.addSchema(schema)
  await app.register(keysRoutes, { prefix: opts.prefix ?? '/v1/keys', repo: opts.repo })
}, { name: 'keys-module' })
