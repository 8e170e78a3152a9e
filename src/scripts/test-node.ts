import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { projectPath } from '../lib/project-root.js'

// Runs the test suite (or the test files named) on another major version of Node, by default 22:
//   npm run test:node22 [-- test/app.test.ts ...]
// The Node binary comes from the npm registry (node-linux-<arch>@<major>, the package the `node`
// package installs, with its headers), so it needs nothing but npm. The work tree is copied to
// a cache folder and installed there with `npm ci` under that Node, so better-sqlite3 is built
// for its ABI while the project's own node_modules stays as it is. Both are kept outside the
// project (~/.cache/broadsheet, or $XDG_CACHE_HOME) for the next run; the install is redone only
// when package-lock.json changes.

const major = process.argv[2] ?? '22'
if (!/^\d+$/.test(major)) throw new Error(`usage: tsx src/scripts/test-node.ts MAJOR [test files…] (got ${major})`)
const files = process.argv.slice(3)
const root = projectPath()
const base = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'broadsheet', `node-${major}`)
const nodeDir = join(base, 'node')
// One copy per work tree, so two checkouts never share an install.
const appDir = join(base, createHash('sha256').update(root).digest('hex').slice(0, 12))

function run (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`)
}

// 1. The Node binary and headers.
if (!existsSync(join(nodeDir, 'bin', 'node'))) {
  const arch = process.arch === 'x64' ? 'x64' : process.arch
  mkdirSync(base, { recursive: true })
  console.log(`fetching node-linux-${arch}@${major} from the npm registry`)
  const packed = execFileSync('npm', ['pack', `node-linux-${arch}@${major}`, '--pack-destination', base, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!
  rmSync(nodeDir, { recursive: true, force: true })
  mkdirSync(nodeDir)
  run('tar', ['xzf', join(base, packed), '-C', nodeDir, '--strip-components=1'], base)
  rmSync(join(base, packed))
}
const env = { ...process.env, PATH: `${join(nodeDir, 'bin')}:${process.env.PATH ?? ''}`, npm_config_nodedir: nodeDir }
const version = execFileSync(join(nodeDir, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim()

// 2. The work tree as it is (tracked and new files, not ignored ones), over the previous copy.
const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean)
mkdirSync(appDir, { recursive: true })
for (const entry of readdirSync(appDir)) if (entry !== 'node_modules' && entry !== '.installed') rmSync(join(appDir, entry), { recursive: true, force: true })
for (const file of listed) {
  if (!existsSync(join(root, file))) continue
  mkdirSync(dirname(join(appDir, file)), { recursive: true })
  copyFileSync(join(root, file), join(appDir, file))
}

// 3. Dependencies installed by that Node, when the lock file changed.
const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex')
const stamp = join(appDir, '.installed')
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== `${version} ${lockHash}`) {
  console.log(`npm ci under Node ${version}`)
  run('npm', ['ci', '--no-audit', '--no-fund'], appDir, env)
  writeFileSync(stamp, `${version} ${lockHash}`)
}

// 4. The tests.
console.log(`testing under Node ${version}${files.length > 0 ? `: ${files.join(' ')}` : ''}`)
if (files.length === 0) run('npm', ['test'], appDir, env)
else run('npx', ['tap', ...files], appDir, env)
