import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { createTickLoop } from '../../src/lib/tick-loop.js'

t.test('a full batch ticks again at once; an empty queue waits for pollMs', async (t) => {
  let queued = 7
  let ticks = 0
  const loop = createTickLoop({
    name: 'test loop',
    tick: async () => {
      ticks++
      const take = Math.min(3, queued)
      queued -= take
      return take === 3
    },
    nextDue: () => null,
    isOpen: () => true,
    pollMs: 60_000
  })
  loop.start()
  await sleep(150)
  // 3 + 3 (full: again) + 1 (not full: waits for pollMs, a minute away)
  t.equal(queued, 0)
  t.equal(ticks, 3)
  loop.wake()
  await sleep(50)
  t.equal(ticks, 4, 'wake looks again')
  await loop.stop()
  loop.wake()
  await sleep(30)
  t.equal(ticks, 4, 'a stopped loop does not tick')
})

t.test('work due soon is looked at when due, not after pollMs', async (t) => {
  let ticks = 0
  const due = Date.now() + 40
  const loop = createTickLoop({
    name: 'test loop',
    tick: async () => { ticks++; return false },
    nextDue: () => (Date.now() < due ? due : null),
    isOpen: () => true,
    pollMs: 60_000
  })
  loop.start()
  await sleep(150)
  t.equal(ticks, 2, 'once at start, once when the due work came')
  await loop.stop()
})

t.test('stop waits for the tick in flight (up to the grace), and a failing tick is logged, not thrown', async (t) => {
  let finished = false
  const errors: string[] = []
  const loop = createTickLoop({
    name: 'slow loop',
    tick: async () => {
      await sleep(60)
      finished = true
      throw new Error('boom')
    },
    nextDue: () => null,
    isOpen: () => true,
    pollMs: 60_000,
    log: { error: (_obj, msg) => { errors.push(msg) } }
  })
  loop.start()
  await sleep(20)
  await loop.stop()
  t.ok(finished, 'stop resolved after the tick ended')
  await sleep(5)
  t.same(errors, ['slow loop tick failed'])
})

t.test('a closed database ends the loop', async (t) => {
  let ticks = 0
  let open = true
  const loop = createTickLoop({
    name: 'test loop',
    tick: async () => { ticks++; open = false; return true },
    nextDue: () => null,
    isOpen: () => open,
    pollMs: 10
  })
  loop.start()
  await sleep(100)
  t.equal(ticks, 1)
  await loop.stop()
})
