import { test } from 'tap'
import { autoFormat, createRenderQueue, renderSpec, servedSize, snap, variantWidths } from '../../../src/modules/media/media-images.js'

test('sizes snap up to the ladder and never past the image', async (t) => {
  t.equal(snap(undefined, 1000), 0)
  t.equal(snap(1, 1000), 160)
  t.equal(snap(161, 1000), 320)
  t.equal(snap(800, 1000), 800)
  t.equal(snap(801, 1000), 0, '1024 would enlarge: the image\'s own size')
  t.equal(snap(9999, 5000), 2560)
  // Every width from 1 to 10000 lands on one of at most 11 values.
  const distinct = new Set(Array.from({ length: 10000 }, (_, i) => snap(i + 1, 4000)))
  t.ok(distinct.size <= 11)
  t.same(servedSize(4000, 2000), { width: 2560, height: 1280 })
  t.same(servedSize(300, 5000), { width: 154, height: 2560 })
  t.same(variantWidths({ width: 700 }), [160, 320, 480, 640, 700])
  t.same(renderSpec({ width: 1000, height: 500 }, { w: 300 }, 'webp'), { width: 320, height: 0, fit: 'inside', format: 'webp' }, 'fit only matters with both sizes')
  t.same(renderSpec({ width: 1000, height: 500 }, { w: 300, h: 300 }, 'jpeg'), { width: 320, height: 320, fit: 'cover', format: 'jpeg' })
})

test('format=auto follows Accept', async (t) => {
  t.equal(autoFormat('image/avif,image/webp,*/*', 'jpeg'), 'avif')
  t.equal(autoFormat('image/avif;q=0,image/webp', 'jpeg'), 'webp')
  t.equal(autoFormat('*/*', 'png'), 'png')
  t.equal(autoFormat(undefined, 'webp'), 'png', 'a WebP original for a client that names no modern type')
  t.equal(autoFormat('text/html', 'gif'), 'gif')
})

test('the render queue runs at most `concurrency` jobs, shares a job per key and refuses past its queue', async (t) => {
  const queue = createRenderQueue(2, 3)
  let running = 0
  let most = 0
  let calls = 0
  const gates: Array<() => void> = []
  const job = async () => {
    calls++
    running++
    most = Math.max(most, running)
    await new Promise<void>((resolve) => { gates.push(resolve) })
    running--
    return 'done'
  }
  const results = ['a', 'b', 'c', 'd', 'e', 'a'].map(async (key) => await queue.run(key, job))
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(queue.running, 2)
  t.equal(queue.queued, 3, 'the second "a" shares the first')
  t.equal(queue.full(), true)
  while (gates.length > 0 || queue.running > 0) {
    gates.shift()?.()
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.same(await Promise.all(results), ['done', 'done', 'done', 'done', 'done', 'done'])
  t.equal(most, 2)
  t.equal(calls, 5)
  t.equal(queue.full(), false)
})
