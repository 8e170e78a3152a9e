import { ms, percentile } from './random.js'

/**
 * A version marker read from a public answer; each only grows as the newsroom writer works:
 * - exists: 1 when the post answers 200, 0 when 404 (a post just published);
 * - rev: the revision number the writer puts in a post's excerpt when it edits it;
 * - comments: a post's comment_count (approved comments);
 * - thread: the comments page's meta.total;
 * - newest: the publication time of the first post of a list page.
 */
export type Marker = 'exists' | 'rev' | 'comments' | 'thread' | 'newest'

export const REVISION = (n: number) => `Updated by the newsroom bench, revision ${n}.`

/** The marker's value in an answer, or null when the answer says nothing (an error). */
export function readMarker (marker: Marker, status: number, body: any): number | null {
  if (marker === 'exists') return status === 200 ? 1 : status === 404 ? 0 : null
  if (status !== 200 || body === null || typeof body !== 'object') return null
  switch (marker) {
    case 'rev': {
      const m = /revision (\d+)\./.exec(String(body.data?.excerpt ?? ''))
      return m === null ? 0 : Number(m[1])
    }
    case 'comments': return typeof body.data?.comment_count === 'number' ? body.data.comment_count : null
    case 'thread': return typeof body.meta?.total === 'number' ? body.meta.total : null
    case 'newest': {
      const first = body.data?.[0]?.published_at
      return first === undefined ? 0 : Date.parse(first)
    }
  }
}

export type Reader = (url: string) => Promise<{ status: number, body: unknown }>

interface Floor { value: number, since: number }

export interface FreshnessReport {
  /** Writes' effects checked (one per URL and marker). */
  checks: number
  visible: number
  /** Not visible within the give-up time. */
  not_visible: number
  /** From the write's answer to the answer of the first read that showed it, in ms. */
  delay_ms: { p50: number, p99: number, max: number }
  delay_by_write: Record<string, { checks: number, p50_ms: number, p99_ms: number, max_ms: number }>
  /** Reads made after the write had answered that did not show it yet. */
  reads_before_visible: number
  /** Reads begun after a newer version had been seen that showed an older one: must be 0. */
  stale_reads: number
  stale_examples: Array<{ url: string, marker: Marker, seen: number, expected: number }>
  reads: number
  read_errors: number
}

/**
 * The freshness checker of the newsroom scenario. After a write answers, `expect` polls the
 * public URLs it affects until each shows it (the visibility delay); from then on that
 * version is the URL's floor, and every later read of it — by `expect` or by the monitor,
 * which keeps re-reading recently written URLs — that began after the floor was seen and
 * shows an older version is a stale read.
 */
export class FreshnessChecker {
  private readonly floors = new Map<string, Map<Marker, Floor>>()
  private readonly watchedUntil = new Map<string, number>()
  private readonly delays: Array<{ write: string, ms: number }> = []
  private checks = 0
  private notVisible = 0
  private readsBeforeVisible = 0
  private stale = 0
  private readonly staleExamples: FreshnessReport['stale_examples'] = []
  private reads = 0
  private readErrors = 0
  private monitoring = false
  private monitorDone: Promise<void> = Promise.resolve()

  constructor (
    private readonly read: Reader,
    private readonly o: { giveUpMs?: number, pollPauseMs?: number, monitorEveryMs?: number, watchMs?: number, now?: () => number } = {}
  ) {}

  private now (): number { return this.o.now !== undefined ? this.o.now() : performance.now() }

  /** Reads a URL and checks it against every floor set before the read began. */
  private async observe (url: string): Promise<{ start: number, end: number, status: number, body: unknown } | null> {
    const start = this.now()
    let answer: { status: number, body: unknown }
    try {
      answer = await this.read(url)
    } catch {
      this.reads++
      this.readErrors++
      return null
    }
    const end = this.now()
    this.reads++
    if (answer.status >= 400 && answer.status !== 404) this.readErrors++
    for (const [marker, floor] of this.floors.get(url) ?? []) {
      if (floor.since > start) continue
      const v = readMarker(marker, answer.status, answer.body)
      if (v === null) continue
      if (v < floor.value) {
        this.stale++
        if (this.staleExamples.length < 10) this.staleExamples.push({ url, marker, seen: v, expected: floor.value })
      }
    }
    return { start, end, ...answer }
  }

  private raise (url: string, marker: Marker, value: number, since: number): void {
    let byMarker = this.floors.get(url)
    if (byMarker === undefined) this.floors.set(url, byMarker = new Map())
    const old = byMarker.get(marker)
    if (old === undefined || value > old.value) byMarker.set(marker, { value, since })
    this.watchedUntil.set(url, this.now() + (this.o.watchMs ?? 30_000))
  }

  /** Polls `url` until `marker` reaches `expected`; `writtenAt` is when the write answered. */
  async expect (write: string, url: string, marker: Marker, expected: number, writtenAt: number): Promise<void> {
    this.checks++
    const giveUp = this.o.giveUpMs ?? 10_000
    for (;;) {
      const r = await this.observe(url)
      if (r !== null) {
        const v = readMarker(marker, r.status, r.body)
        if (v !== null && v >= expected) {
          this.delays.push({ write, ms: r.end - writtenAt })
          this.raise(url, marker, expected, r.end)
          return
        } else if (v !== null) {
          this.readsBeforeVisible++
        }
      }
      if (this.now() - writtenAt > giveUp) {
        this.notVisible++
        return
      }
      await new Promise((resolve) => setTimeout(resolve, this.o.pollPauseMs ?? 10))
    }
  }

  /** Re-reads the recently written URLs in turn, one every `monitorEveryMs`, until stop(). */
  startMonitor (): void {
    this.monitoring = true
    this.monitorDone = (async () => {
      let i = 0
      while (this.monitoring) {
        const now = this.now()
        const urls = [...this.watchedUntil].filter(([, until]) => until > now).map(([url]) => url)
        if (urls.length > 0) await this.observe(urls[i++ % urls.length])
        await new Promise((resolve) => setTimeout(resolve, this.o.monitorEveryMs ?? 20))
      }
    })()
  }

  async stop (): Promise<void> {
    this.monitoring = false
    await this.monitorDone
  }

  report (): FreshnessReport {
    const all = this.delays.map((d) => d.ms)
    const byWrite: FreshnessReport['delay_by_write'] = {}
    for (const write of new Set(this.delays.map((d) => d.write))) {
      const list = this.delays.filter((d) => d.write === write).map((d) => d.ms)
      byWrite[write] = { checks: list.length, p50_ms: ms(percentile(list, 50)), p99_ms: ms(percentile(list, 99)), max_ms: ms(percentile(list, 100)) }
    }
    return {
      checks: this.checks,
      visible: this.delays.length,
      not_visible: this.notVisible,
      delay_ms: { p50: ms(percentile(all, 50)), p99: ms(percentile(all, 99)), max: ms(percentile(all, 100)) },
      delay_by_write: byWrite,
      reads_before_visible: this.readsBeforeVisible,
      stale_reads: this.stale,
      stale_examples: this.staleExamples,
      reads: this.reads,
      read_errors: this.readErrors
    }
  }
}
