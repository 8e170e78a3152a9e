import type { Corpus } from './corpus.js'
import { FreshnessChecker, REVISION, readMarker, type FreshnessReport } from './freshness.js'
import { call, storyHtml } from './http.js'
import type { LoadGenerator } from './load-generator.js'
import { MIX_CLASSES, NEWSROOM_MIX, newsroomMix, type MixClass } from './mix.js'
import { capture, limitPath, type Captured } from './processes.js'
import { ms, seededRandom } from './random.js'
import { socketErrors, type LoadResult } from './wrk-output.js'
import { newPost, timing, type Timing } from './writes.js'
import { zipfSampler } from './zipf.js'

export interface NewsroomOptions {
  connections: number
  durationS: number
  sliceS: number
  limitSliceS: number
  warmupS: number
  zipfS: number
  /** Writes per second of each kind (the issue: a post every 10 s, an edit every 5 s, 2 comments a second). */
  publishEveryMs: number
  editEveryMs: number
  commentEveryMs: number
}

export interface NewsroomReport {
  connections: number
  duration_s: number
  rps: number
  p50_ms: number
  p99_ms: number
  limit_rps: number
  ratio: number
  requests: number
  non2xx: number
  socket_errors: number
  cache: { hit: number, miss: number, none: number, hit_rate: number | null, note?: string }
  mix: Record<MixClass, number>
  zipf_s: number
  writes: { publish: Timing, edit: Timing, comment_submit: Timing, comment_approve: Timing, late: number }
  freshness: FreshnessReport
  slices: Array<{ rps: number, p50_ms: number, p99_ms: number, limit_rps: number }>
}

const sleep = (msec: number) => new Promise((resolve) => setTimeout(resolve, msec))

/**
 * The newsroom scenario: `connections` readers on a precomputed Zipf spread (NEWSROOM_MIX),
 * the response cache on, while a writer publishes, edits and submits + approves comments
 * through the HTTP API, and the freshness checker follows every write. Readers run in
 * slices of `sliceS` with a slice of the limit (the same spread, each class answered with a
 * captured response of that class) before each; the writer never pauses.
 */
export async function runNewsroom (base: string, corpus: Corpus, gen: LoadGenerator, o: NewsroomOptions,
  startLimit: (responses: Captured[]) => Promise<string>, log: (line: string) => void): Promise<NewsroomReport> {
  const slugs = corpus.posts.map((p) => p.slug)
  const mix = newsroomMix({ slugs, categories: corpus.categories.map((c) => c.slug), listPages: Math.min(100, Math.ceil(slugs.length / 10)), length: 100_000, s: o.zipfS, seed: 3 })
  // One captured answer per class, for the limit: the first URL of the class in the list.
  const captured: Captured[] = []
  for (let k = 0; k < MIX_CLASSES.length; k++) {
    const path = mix.paths[mix.classes.indexOf(k)]
    const { status, captured: c } = await capture(base + path)
    if (status !== 200) throw new Error(`newsroom: ${path} answered ${status}`)
    captured.push(c)
  }
  const limitUrl = await startLimit(captured)
  const limitPaths = mix.paths.map((p, i) => limitPath(mix.classes[i], p))
  await gen.run({ url: limitUrl, paths: limitPaths, connections: o.connections, seconds: 1, countCache: true })
  log(`newsroom: ${o.connections} connections, ${mix.paths.length} precomputed requests (${MIX_CLASSES.map((c) => `${c} ${Math.round(100 * mix.counts[c] / mix.paths.length)} %`).join(', ')}), Zipf s=${o.zipfS} over ${slugs.length} posts; warm-up ${o.warmupS} s`)

  const checker = new FreshnessChecker(async (url) => {
    const r = await call(base, 'GET', url, { timeoutMs: 10_000 })
    return { status: r.status, body: r.body }
  })
  const pending: Array<Promise<void>> = []
  const samples = { publish: [] as number[], edit: [] as number[], submit: [] as number[], approve: [] as number[] }
  const errors = { publish: 0, edit: 0, submit: 0, approve: 0 }
  const rand = seededRandom(99)
  const hot = zipfSampler(slugs.length, o.zipfS, rand)
  const created: number[] = []
  const comments: number[] = []
  const originals = new Map<number, { excerpt: string | null, content_html: string }>()
  const runId = Date.now().toString(36)
  let rev = 0
  let published = 0
  let late = 0
  let writing = true
  // False during the warm-up writes: their timings and checks are not counted.
  let counting = false
  const expect = (check: () => Promise<void>) => { if (counting) pending.push(check()) }

  const publish = async () => {
    const n = published++
    const body = newPost(corpus, n, `Newsroom ${runId}`)
    const r = await call(base, 'POST', '/v1/posts', { admin: true, body })
    const at = performance.now()
    if (r.status !== 201) { errors.publish++; return }
    if (counting) samples.publish.push(r.ms)
    const post = r.body.data as { id: number, slug: string, published_at: string }
    created.push(post.id)
    const when = Date.parse(post.published_at)
    const cat = corpus.categories.find((c) => c.id === (body.category_ids as number[])[0])
    expect(() => checker.expect('publish', `/v1/posts/${post.slug}`, 'exists', 1, at))
    expect(() => checker.expect('publish', '/v1/posts', 'newest', when, at))
    if (cat !== undefined) expect(() => checker.expect('publish', `/v1/posts?category=${cat.slug}`, 'newest', when, at))
  }
  const edit = async () => {
    const post = corpus.posts[hot()]
    if (!originals.has(post.id)) {
      const before = await call(base, 'GET', `/v1/posts/${post.id}`, { admin: true })
      if (before.status === 200) originals.set(post.id, { excerpt: before.body.data.excerpt, content_html: before.body.data.content_html })
    }
    const n = ++rev
    const r = await call(base, 'PATCH', `/v1/posts/${post.id}`, { admin: true, body: { excerpt: REVISION(n), content_html: storyHtml(n) } })
    const at = performance.now()
    if (r.status !== 200) { errors.edit++; return }
    if (counting) samples.edit.push(r.ms)
    expect(() => checker.expect('edit', `/v1/posts/${post.slug}`, 'rev', n, at))
  }
  let commented = 0
  const comment = async () => {
    const post = corpus.posts[hot()]
    const n = commented++
    const submit = await call(base, 'POST', `/v1/posts/${post.slug}/comments`, { body: { author_name: 'Newsroom reader', author_email: `newsroom-${runId}-${n}@example.com`, content: `Reader comment ${runId} ${n} on the story` } })
    if (submit.status !== 201) { errors.submit++; return }
    if (counting) samples.submit.push(submit.ms)
    comments.push(submit.body.data.id)
    const approve = await call(base, 'PATCH', `/v1/comments/${submit.body.data.id as number}`, { admin: true, body: { status: 'approved' } })
    const at = performance.now()
    if (approve.status !== 200) { errors.approve++; return }
    if (counting) samples.approve.push(approve.ms)
    // What readers must see from now on, read past the response cache (an authenticated read).
    const postUrl = `/v1/posts/${post.slug}`
    const threadUrl = `/v1/posts/${post.slug}/comments?per_page=50`
    const [truePost, trueThread] = await Promise.all([call(base, 'GET', postUrl, { admin: true }), call(base, 'GET', threadUrl, { admin: true })])
    const count = readMarker('comments', truePost.status, truePost.body)
    const total = readMarker('thread', trueThread.status, trueThread.body)
    if (count !== null) expect(() => checker.expect('comment', postUrl, 'comments', count, at))
    if (total !== null) expect(() => checker.expect('comment', threadUrl, 'thread', total, at))
  }
  /** Runs `write` every `everyMs` until the scenario ends; a write that overruns its turn delays the next (counted as late). */
  const every = async (everyMs: number, kind: 'publish' | 'edit' | 'submit', write: () => Promise<void>) => {
    let next = performance.now()
    // eslint-disable-next-line no-unmodified-loop-condition -- the scenario's end sets it, between awaits
    while (writing) {
      // A write that failed outright (no answer) is an error of its kind.
      await write().catch(() => { errors[kind]++ })
      next += everyMs
      const wait = next - performance.now()
      if (wait > 0) await sleep(wait)
      else { late++; next = performance.now() }
    }
  }

  // The writer's warm-up, beside the readers': one write of each kind, not counted. The first
  // write of each kind after start compiles its request and response schemas and loads the
  // libraries only writes use (sanitizing, transliteration), about half a second once per
  // process; measured, it was the scenario's p99 (its first slice's) rather than a running
  // newsroom's.
  const warmWrites = async () => {
    await publish()
    await edit()
    await comment()
  }
  await Promise.all([o.warmupS > 0 ? gen.run({ url: base, paths: mix.paths, connections: o.connections, seconds: o.warmupS }) : undefined, warmWrites()])
  checker.startMonitor()
  counting = true
  const writers = [every(o.publishEveryMs, 'publish', publish), every(o.editEveryMs, 'edit', edit), every(o.commentEveryMs, 'submit', comment)]
  const slices: Array<{ load: LoadResult, limit: LoadResult }> = []
  try {
    const count = Math.max(1, Math.round(o.durationS / o.sliceS))
    for (let i = 0; i < count; i++) {
      const limit = await gen.run({ url: limitUrl, paths: limitPaths, connections: o.connections, seconds: o.limitSliceS, countCache: true })
      const load = await gen.run({ url: base, paths: mix.paths, connections: o.connections, seconds: Math.round(o.durationS / count), countCache: true })
      slices.push({ load, limit })
      log(`  slice ${i + 1}/${count}: ${Math.round(load.rps)} req/s, p50 ${ms(load.p50)} ms, p99 ${ms(load.p99)} ms, limit ${Math.round(limit.rps)} req/s`)
    }
  } finally {
    writing = false
    await Promise.all(writers)
    await Promise.allSettled(pending)
    await checker.stop()
  }

  // Leave the database as it was: the posts it published (their comments go with them), the
  // comments it added, the posts it edited.
  for (const id of created) await call(base, 'DELETE', `/v1/posts/${id}`, { admin: true }).catch(() => undefined)
  for (const id of comments) await call(base, 'DELETE', `/v1/comments/${id}`, { admin: true }).catch(() => undefined)
  for (const [id, was] of originals) await call(base, 'PATCH', `/v1/posts/${id}`, { admin: true, body: was }).catch(() => undefined)

  const sum = (f: (l: LoadResult) => number) => slices.reduce((n, s) => n + f(s.load), 0)
  const seconds = sum((l) => l.seconds)
  const requests = sum((l) => l.requests)
  const limitRps = slices.reduce((n, s) => n + s.limit.requests, 0) / Math.max(1e-9, slices.reduce((n, s) => n + s.limit.seconds, 0))
  const rps = requests / Math.max(1e-9, seconds)
  const hit = sum((l) => l.cache?.hit ?? 0)
  const miss = sum((l) => l.cache?.miss ?? 0)
  const none = sum((l) => l.cache?.none ?? 0)
  const freshness = checker.report()
  return {
    connections: o.connections,
    duration_s: Math.round(seconds),
    rps: Math.round(rps),
    // p50: the mean of the slices' (weighted by requests); p99: the worst slice's.
    p50_ms: ms(sum((l) => l.p50 * l.requests) / Math.max(1, requests)),
    p99_ms: ms(Math.max(...slices.map((s) => s.load.p99))),
    limit_rps: Math.round(limitRps),
    ratio: Number((rps / limitRps).toFixed(3)),
    requests,
    non2xx: sum((l) => l.non2xx),
    socket_errors: sum((l) => socketErrors(l)),
    cache: hit + miss === 0
      ? { hit, miss, none, hit_rate: null, note: 'unavailable: no response carried X-Cache: HIT or MISS' }
      : { hit, miss, none, hit_rate: Number((hit / (hit + miss + none)).toFixed(3)) },
    mix: Object.fromEntries(MIX_CLASSES.map((c) => [c, NEWSROOM_MIX[c]])) as Record<MixClass, number>,
    zipf_s: o.zipfS,
    writes: {
      publish: timing(samples.publish, errors.publish),
      edit: timing(samples.edit, errors.edit),
      comment_submit: timing(samples.submit, errors.submit),
      comment_approve: timing(samples.approve, errors.approve),
      late
    },
    freshness,
    slices: slices.map((s) => ({ rps: Math.round(s.load.rps), p50_ms: ms(s.load.p50), p99_ms: ms(s.load.p99), limit_rps: Math.round(s.limit.rps) }))
  }
}
