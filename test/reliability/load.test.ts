import t from 'tap'
import { runLoad } from '../../src/scripts/load.js'

// The bounded load run of `npm run load`, shortened: mixed reads and writes against the real
// server in a child process. Nothing may fail at the connection level and nothing may be a
// 5xx; the 4xx a real mix produces (comments on a closed thread) are listed, not failures.

const DURATION = Number(process.env.LOAD_SECONDS ?? 5)

t.test(`a ${DURATION} s mixed read/write load holds with no errors and no 5xx`, { timeout: 120_000 }, async (t) => {
  const summary = await runLoad({ duration: DURATION, connections: 8, compiled: false })
  t.comment(`load: ${summary.requests} requests (${summary.requestsPerSecond}/s), p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, statuses ${JSON.stringify(summary.statuses)}`)
  t.ok(summary.requests > DURATION * 5, `${summary.requests} requests answered`)
  t.equal(summary.errors, 0, 'no connection errors')
  t.equal(summary.timeouts, 0, 'no timeouts')
  t.equal(summary.server5xx, 0, 'no 5xx')
  t.ok(summary.writes > 0 && summary.reads > summary.writes, `writes (${summary.writes}) and reads (${summary.reads}) were mixed`)
  const unexpected = Object.keys(summary.statuses).filter((code) => !['200', '201', '403', '404'].includes(code))
  t.same(unexpected, [], 'only successes, or a closed or unpublished thread refusing a comment')
})
