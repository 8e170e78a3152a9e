/** Where `npm run demo` keeps its database. */
export const DEMO_DATABASE_PATH = './data/demo.db'

/** The command that makes a key for the demo's database, printed when the demo starts. */
export const DEMO_KEY_RECIPE = 'npm run cli -- --demo keys create --name me --scopes admin'

/**
 * The environment of a process started with `--demo`: the demo database unless DATABASE_PATH
 * is set. One rule for the server and the command line, so `npm run cli -- --demo …` opens the
 * file `npm run demo` serves.
 */
export function demoEnv (env: Record<string, string | undefined>, demo: boolean): Record<string, string | undefined> {
  if (!demo || (env.DATABASE_PATH !== undefined && env.DATABASE_PATH.trim() !== '')) return env
  return { ...env, DATABASE_PATH: DEMO_DATABASE_PATH }
}
