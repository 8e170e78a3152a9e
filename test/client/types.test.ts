import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

// The client's compile-time guarantees, checked with the TypeScript compiler API over
// client/type-tests: every line under a `@ts-expect-error` must fail to compile (a wrong path,
// parameter or body field), and nothing else may. An expectation that stops failing is
// reported by TypeScript itself as an unused directive (TS2578), which fails this test.

const CLIENT = fileURLToPath(new URL('../../client/', import.meta.url))
const TYPE_TESTS = `${CLIENT}type-tests/`

function program (config: string, readFile: (path: string) => string | undefined = ts.sys.readFile, oldProgram?: ts.Program) {
  const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, { ...ts.sys, readFile, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) } })
  if (parsed === undefined) throw new Error(`cannot read ${config}`)
  const host = ts.createCompilerHost(parsed.options)
  const original = host.readFile.bind(host)
  host.readFile = (path) => readFile(path) ?? original(path)
  return ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host, oldProgram })
}

function describe (diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.replace(CLIENT, 'client/')}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : ''
    return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
  })
}

t.test('wrong paths, parameters and body fields fail to compile; right ones compile', async (t) => {
  const file = `${TYPE_TESTS}typed-calls.ts`
  const source = readFileSync(file, 'utf8')
  const lines = source.split('\n')
  const expected = lines.flatMap((line, i) => /^\s*\/\/ @ts-expect-error\b/.test(line) ? [i + 2] : [])
  t.ok(expected.length >= 20, `${expected.length} expectations`)

  // The type tests import the client's source, so this also checks it compiles for browsers
  // (client/tsconfig.json: DOM lib, no Node types).
  const asWritten = program(`${TYPE_TESTS}tsconfig.json`)
  t.ok(asWritten.getSourceFiles().some((f) => f.fileName === `${CLIENT}src/client.ts`), 'the client source is part of the check')
  t.same(describe(ts.getPreEmitDiagnostics(asWritten)), [],
    'as written: no error, so every @ts-expect-error line errs and every other line compiles')

  // Without the directives, the errors fall exactly on the expected lines, one or more each:
  // no expectation is satisfied by an error on a neighbouring line.
  const stripped = lines.map((line) => line.replace('// @ts-expect-error', '// (expected error)')).join('\n')
  const errs = ts.getPreEmitDiagnostics(program(`${TYPE_TESTS}tsconfig.json`, (path) => path === file ? stripped : ts.sys.readFile(path), asWritten))
  const lineOf = (d: ts.Diagnostic) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1
  t.ok(errs.every((d) => d.file?.fileName === file), 'every error is in the type tests')
  t.same([...new Set(errs.map(lineOf))].sort((a, b) => a - b), expected, 'each expected line, and only those, fails to compile')
})
