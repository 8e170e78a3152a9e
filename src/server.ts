import nodeModule from 'node:module'

// The process entry. On Node 22.1 and later, V8's compile cache is turned on before the server's
// code is loaded (serve.ts and everything it imports, our bundle and the packages left in
// node_modules): the code compiled by one start is reused by the next, in the folder
// NODE_COMPILE_CACHE names or else node's default (node-compile-cache under the OS temporary
// folder); NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has no compile cache: nothing
// changes there. A cache that cannot be written only costs the compile it would have saved.
const { enableCompileCache } = nodeModule as { enableCompileCache?: (directory?: string) => unknown }
if (typeof enableCompileCache === 'function') {
  try {
    enableCompileCache()
  } catch {}
}

await import('./serve.js')
