import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

// The import rules of src/ (README "Layout"), checked on every import the TypeScript compiler
// sees: `import … from`, `import type`, `export … from`, `import x = require()`, dynamic
// `import()` and `import('…').Type` in type positions. A rule names the layer of the importing
// file and what it may not reach; npm packages and node: builtins are not checked.

const SRC = fileURLToPath(new URL('../src', import.meta.url))

/** Entry files: each builds or starts something; nothing below them imports them. */
const ENTRIES = ['app.ts', 'server.ts', 'serve.ts', 'cli.ts', 'imports-worker.ts']
/** Everyone above lib/ and db/ may import these. */
const SHARED = ['errors.ts', 'schemas/']

/** Where a src/-relative path sits. */
function layerOf (path: string): string {
  if (ENTRIES.includes(path)) return 'entry'
  if (path === 'core.ts') return 'core'
  if (path === 'config.ts') return 'config'
  if (SHARED.some((s) => s.endsWith('/') ? path.startsWith(s) : path === s)) return 'shared'
  return path.split('/')[0]
}

/** What each layer may import (src/ layers only); a layer not listed may import anything. */
const ALLOWED: Record<string, { may: string[], why: string }> = {
  lib: { may: ['lib'], why: 'lib/ is pure logic: it imports only lib/' },
  db: { may: ['db', 'lib'], why: 'db/ imports only db/ and lib/' },
  shared: { may: ['shared', 'lib'], why: 'errors.ts and schemas/ import only each other and lib/' },
  config: { may: ['lib'], why: 'config.ts imports only lib/' },
  plugins: { may: ['plugins', 'lib', 'db', 'shared'], why: 'plugins/ never import modules/, core.ts, config.ts, the entry files, demo/ or scripts/: they are given what they need as options' },
  modules: { may: ['modules', 'lib', 'db', 'shared'], why: 'modules/ never import plugins/, core.ts, config.ts, the entry files, demo/ or scripts/: they are given what they need as options' },
  core: { may: ['modules', 'lib', 'db', 'shared', 'config'], why: 'core.ts (the composition root) builds modules over db/ and knows nothing of HTTP: no plugins/, entry files, demo/ or scripts/' },
  demo: { may: ['demo', 'core', 'modules', 'lib', 'db', 'shared', 'config'], why: 'demo/ seeds through the core: no plugins/, entry files or scripts/' }
}

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Every module specifier a file names, found by walking its syntax tree. */
function specifiersOf (fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text)
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length > 0) {
      const [first] = node.arguments
      // A computed specifier cannot be checked: refuse it rather than let it through.
      found.push(ts.isStringLiteralLike(first) ? first.text : `<computed: ${first.getText(source)}>`)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** The src/-relative file a relative specifier names (`./x.js` is `./x.ts`), or null for a package. */
function targetOf (from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null
  const absolute = resolve(dirname(join(SRC, from)), specifier).replace(/\.js$/, '.ts')
  return relative(SRC, absolute).split('\\').join(posix.sep)
}

interface Graph { files: string[], imports: Map<string, string[]>, computed: string[] }

function readGraph (): Graph {
  const files = sourceFiles(SRC).map((f) => relative(SRC, f).split('\\').join(posix.sep)).sort()
  const imports = new Map<string, string[]>()
  const computed: string[] = []
  for (const file of files) {
    const targets: string[] = []
    for (const specifier of specifiersOf(file, readFileSync(join(SRC, file), 'utf8'))) {
      if (specifier.startsWith('<computed')) computed.push(`${file} → ${specifier}`)
      const target = targetOf(file, specifier)
      if (target !== null) targets.push(target)
    }
    imports.set(file, targets)
  }
  return { files, imports, computed }
}

/** Each import that breaks a rule, as `file → import (why)`. */
function violationsOf (imports: Map<string, string[]>): string[] {
  const out: string[] = []
  for (const [file, targets] of imports) {
    const rule = ALLOWED[layerOf(file)]
    if (rule === undefined) continue
    for (const target of targets) {
      if (!rule.may.includes(layerOf(target))) out.push(`src/${file} → src/${target} (${rule.why})`)
    }
  }
  return out
}

/** Every import cycle, each as the path that closes it (a → b → a), found once. */
function cyclesOf (imports: Map<string, string[]>): string[] {
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of imports.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => `src/${f}`).join(' → '))
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of imports.keys()) if (!state.has(file)) visit(file)
  return cycles
}

const graph = readGraph()

t.test('the walk sees every kind of import, also across lines', async (t) => {
  const text = `import a from './a.js'
import type { B } from './b.js'
import {
  c,
  d
} from './c.js'
export { e } from './e.js'
export * from './f.js'
import g = require('./g.js')
const h = await import('./h.js')
type I = import('./i.js').I
const j = await import(name)
import 'pkg'`
  t.same(specifiersOf('x.ts', text), ['./a.js', './b.js', './c.js', './e.js', './f.js', './g.js', './h.js', './i.js', '<computed: name>', 'pkg'])
})

t.test('the rules catch a wrong import and a cycle', async (t) => {
  const imports = new Map([
    ['lib/a.ts', ['db/b.ts']],
    ['modules/x/x-routes.ts', ['plugins/auth.ts', 'modules/y/y.ts']],
    ['modules/y/y.ts', ['modules/x/x-routes.ts', 'core.ts']],
    ['plugins/p.ts', ['modules/y/y.ts']]
  ])
  t.same(violationsOf(imports).map((v) => v.split(' (')[0]), [
    'src/lib/a.ts → src/db/b.ts',
    'src/modules/x/x-routes.ts → src/plugins/auth.ts',
    'src/modules/y/y.ts → src/core.ts',
    'src/plugins/p.ts → src/modules/y/y.ts'
  ])
  t.same(cyclesOf(imports), ['src/modules/x/x-routes.ts → src/modules/y/y.ts → src/modules/x/x-routes.ts'])
})

t.test('src/ keeps the import rules', async (t) => {
  t.ok(graph.files.length > 100, `read ${graph.files.length} files`)
  t.ok(graph.files.every((f) => graph.imports.has(f)))
  for (const c of graph.computed) t.fail(`an import the rules cannot check: ${c}`)
  const violations = violationsOf(graph.imports)
  // One failure per import, naming the file, the import and the rule (README "Layout").
  for (const v of violations) t.fail(v)
  if (violations.length === 0 && graph.computed.length === 0) t.pass('no import breaks a rule')
})

t.test('src/ has no import cycle', async (t) => {
  const cycles = cyclesOf(graph.imports)
  for (const c of cycles) t.fail(`import cycle: ${c}`)
  if (cycles.length === 0) t.pass('no file imports itself through others')
})
