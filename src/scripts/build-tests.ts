import { build, type Plugin } from 'esbuild'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectPath } from '../lib/project-root.js'
import { NOT_BUNDLED, REQUIRE_BANNER } from './bundle-options.js'

// The test suite's build (`npm test` runs it before tap): every test file bundled with our code
// and the packages it loads into .tap/test-build/, shared code split into chunks, so that a
// test process loads a few files instead of ~1,000 modules through tsx's loader. Each test file
// is its own process, and loading the app's module graph through the loader hooks (tsx's and
// the one tap adds to every test process) was most of a test's CPU time: ~4–5 s of CPU for a
// file that builds one app. tap keeps `--import=tsx` for the child servers, the import jobs'
// worker threads and anyone running a single `.ts` test file with `npx tap test/…`.
//
// Our own files keep their identity: `import.meta.url`, `import.meta.dirname` and
// `import.meta.filename` are replaced by the source file's own values, so fixtures, migrations,
// the project root and the import worker's entry are found exactly as under tsx. Test tooling
// (tap, playwright, the type checker…) and the packages the production build leaves out
// (native, assets on disk, loaded on first use) stay in node_modules.
// Under .tap/ because tap's process-info hook does not record files there (it would otherwise
// copy every chunk's text to the main thread and measure its lines in every test process).
export const TEST_BUILD_DIR = projectPath('.tap', 'test-build')

const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { dependencies: Record<string, string>, devDependencies: Record<string, string> }
const external = [
  ...Object.keys(pkg.devDependencies),
  ...Object.keys(pkg.dependencies).filter((name) => NOT_BUNDLED.has(name))
]

const OWN = new RegExp(`^${projectPath().replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(src|test|client|examples)/.*\\.ts$`)

/** Our files as written, with import.meta's location fields pointing at the source file. */
const sourceLocation: Plugin = {
  name: 'source-location',
  setup (b) {
    b.onLoad({ filter: OWN }, (args) => {
      const text = readFileSync(args.path, 'utf8')
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path))
      return { contents, loader: 'ts' }
    })
  }
}

/** Every test file of the suite (tap's `include`: test/**\/*.test.ts). */
export function testFiles (): string[] {
  return readdirSync(projectPath('test'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join(projectPath('test'), name))
    .sort()
}

/** Builds the given test files (all by default); answers each source file with its built entry. */
export async function buildTests (files = testFiles()): Promise<Array<{ source: string, entry: string }>> {
  rmSync(TEST_BUILD_DIR, { recursive: true, force: true })
  const result = await build({
    entryPoints: files,
    absWorkingDir: projectPath(),
    outbase: projectPath(),
    outdir: TEST_BUILD_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    banner: { js: REQUIRE_BANNER },
    sourcemap: 'linked',
    plugins: [sourceLocation],
    metafile: true,
    logLevel: 'warning'
  })
  const entries = new Map<string, string>()
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (output.entryPoint !== undefined) entries.set(projectPath(output.entryPoint), projectPath(path))
  }
  return files.map((source) => {
    const entry = entries.get(source)
    if (entry === undefined) throw new Error(`${source} was not built`)
    return { source, entry }
  })
}
