import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'

/** The OpenAPI document as committed: built from the routes with a fixed configuration. */
export async function generateOpenApi (): Promise<string> {
  const app = await buildApp(loadConfig({ DATABASE_PATH: ':memory:', SITE_URL: 'https://example.com' }))
  await app.ready()
  const text = JSON.stringify(app.swagger(), null, 2) + '\n'
  await app.close()
  return text
}

export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url))

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_PATH, await generateOpenApi())
  console.log(`wrote ${OPENAPI_PATH}`)
}
