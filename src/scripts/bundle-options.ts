import type { BuildOptions } from 'esbuild'

/**
 * Packages our bundles (the production build, src/scripts/build.ts, and the test build,
 * src/scripts/build-tests.ts) leave in node_modules: native ones (better-sqlite3, sharp),
 * Swagger UI (it serves its static files from its folder), pg (imported on a PostgreSQL
 * server's first write), and those loaded on first use (src/lib/lazy.ts) or only by the
 * importers and the media uploads.
 */
export const NOT_BUNDLED = new Set(['better-sqlite3', 'sharp', '@fastify/swagger-ui', 'pg', 'sanitize-html', 'transliteration', 'xmlbuilder2', 'stopword', 'wink-porter2-stemmer', 'iconv-lite', 'saxes', 'htmlparser2', 'file-type', '@fastify/multipart'])

/** Gives bundled CommonJS code a `require` for Node's built-ins, which an ES module lacks. */
const REQUIRE_BANNER = "import { createRequire as __bsCreateRequire } from 'node:module'; const require = __bsCreateRequire(import.meta.url);"

/**
 * What both bundles share: ES modules for Node 20 with code loaded on demand split into chunks,
 * bundled CommonJS given a `require`, source maps beside the files.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: { js: REQUIRE_BANNER },
  sourcemap: 'linked',
  logLevel: 'warning'
} satisfies BuildOptions
