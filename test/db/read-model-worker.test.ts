import { test } from 'tap'
import { createReadModelWorker, READ_MODEL_START_DELAY_MS } from '../../src/db/read-model-worker.js'

// The worker's first step waits READ_MODEL_START_DELAY_MS after start, so a start-up fill does
// not take the event loop while the server is still starting to listen.

function counting () {
  let steps = 0
  return { builder: { step: () => { steps++; return { built: 0, more: false } }, refill: () => {}, rebuildAll: () => {} }, steps: () => steps }
}
const silent = { warn: () => {} }
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('the first step waits for the start delay', async (t) => {
  t.ok(READ_MODEL_START_DELAY_MS >= 500, 'the core waits at least half a second')
  const delayed = counting()
  const worker = createReadModelWorker({ b: delayed.builder }, silent, undefined, READ_MODEL_START_DELAY_MS)
  const prompt = counting()
  const eager = createReadModelWorker({ b: prompt.builder }, silent)
  worker.start()
  eager.start()
  await wait(100)
  t.equal(prompt.steps(), 1, 'without a delay the first step runs at once')
  t.equal(delayed.steps(), 0, 'with one, not yet')
  worker.stop()
  eager.stop()
})
