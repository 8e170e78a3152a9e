import { build, type Plugin } from 'esbuild'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectPath } from '../lib/project-root.js'
import { BUNDLE_OPTIONS, NOT_BUNDLED } from './bundle-options.js'

// The test suite's build (src/scripts/run-tests.ts runs it first): every test file bundled with
// our code and the packages it loads into .tap/test-build/, shared code split into chunks, so
// that a test process loads a few files instead of ~1,000 modules through tsx's loader. Each
// test file is its own process, and loading the app's module graph through loader hooks (tsx's,
// and the one tap's runner adds to every test process) was most of a test's CPU time: ~4–5 s of
// CPU for a file that builds one app. Child servers and the import jobs' worker threads still
// start from the `.ts` sources through tsx, as does `npx tap test/…` for a single file.
//
// Our own files keep their identity: `import.meta.url`, `import.meta.dirname` and
// `import.meta.filename` are replaced by the source file's own values, so fixtures, migrations,
// the project root and the import worker's entry are found exactly as under tsx. Test tooling
// (tap, playwright, the type checker…) and the packages the production build leaves out
// (native, assets on disk, loaded on first use) stay in node_modules.
// Under .tap/, which is gitignored.
// One folder per run (`run-<pid>`), removed when the run ends, so that a file run on its own
// while the whole suite runs does not replace the suite's build under it.
export const TEST_BUILD_ROOT = projectPath('.tap', 'test-build')
export const TEST_BUILD_DIR = join(TEST_BUILD_ROOT, `run-${process.pid}`)

/** Removes this run's build, and those of runs whose process is gone (killed before they cleaned up). */
export function removeTestBuilds (): void {
  let names: string[] = []
  try { names = readdirSync(TEST_BUILD_ROOT) } catch { return }
  for (const name of names) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1] ?? NaN)
    if (pid !== process.pid && Number.isInteger(pid) && alive(pid)) continue
    rmSync(join(TEST_BUILD_ROOT, name), { recursive: true, force: true })
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

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
  removeTestBuilds()
  const result = await build({
    entryPoints: files,
    absWorkingDir: projectPath(),
    outbase: projectPath(),
    outdir: TEST_BUILD_DIR,
    outExtension: { '.js': '.mjs' },
    ...BUNDLE_OPTIONS,
    external,
    plugins: [sourceLocation],
    metafile: true
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
