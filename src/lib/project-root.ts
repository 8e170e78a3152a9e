import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * A file of the project (package.json, migrations/) found from wherever this code runs:
 * src/ under tsx, or the bundled dist/server.js. Walks up to the folder of package.json.
 */
export function projectPath (...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    dir = up
  }
  return join(dir, ...parts)
}
