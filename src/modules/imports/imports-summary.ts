import type { ImportSummary } from './imports-schemas.js'
import { describeDropped, type Dropped } from './imports-dropped.js'

// The summary an import builds as it goes: what it created, updated and left unchanged,
// what it ignored by design, skipped (with the reason) and warned about.

export type Kind = 'posts' | 'pages' | 'categories' | 'tags' | 'authors' | 'comments'
export type Outcome = 'created' | 'updated' | 'unchanged'
export type Counts = Record<Kind, number>

// Skips and warnings listed; a file with more says how many more there were.
const MAX_LISTED = 1000

export function zero (): Counts {
  return { posts: 0, pages: 0, categories: 0, tags: 0, authors: 0, comments: 0 }
}

export function emptySummary (format: string): ImportSummary {
  return { format, created: zero(), updated: zero(), unchanged: zero(), ignored: {}, seo_fields: 0, navigation: { menus: 0, items: 0, applied: false }, skipped: [], warnings: [] }
}

/** The summary of one run, with the ways to add to it. */
export function createSummaryRecorder (format: string) {
  const summary = emptySummary(format)
  let droppedSkips = 0
  let droppedWarnings = 0
  // Everything any item lost in sanitizing or formatting, by kind, for the closing total.
  const lost = new Map<string, number>()
  const warn = (message: string): void => {
    if (summary.warnings.length < MAX_LISTED) summary.warnings.push(message)
    else droppedWarnings++
  }
  return {
    summary,
    warn,
    /** Markup an item lost (sanitizing, shortcodes, embeds): one warning naming it, and the total. */
    lost (ref: string, list: Dropped[]): void {
      if (list.length === 0) return
      warn(`${ref}: not kept: ${describeDropped(list)}`)
      for (const d of list) lost.set(d.what, (lost.get(d.what) ?? 0) + d.n)
    },
    skip (kind: string, ref: string, reason: string): void {
      if (summary.skipped.length < MAX_LISTED) summary.skipped.push({ kind, ref, reason })
      else droppedSkips++
    },
    ignore (kind: string): void {
      summary.ignored[kind] = (summary.ignored[kind] ?? 0) + 1
    },
    /** Adds the counts of an item that committed. */
    add (delta: Record<Outcome, Counts>): void {
      for (const o of ['created', 'updated', 'unchanged'] as const) {
        for (const k of Object.keys(delta[o]) as Kind[]) summary[o][k] += delta[o][k]
      }
    },
    /** The summary once the run is over, saying how much was not listed. */
    close (): ImportSummary {
      if (lost.size > 0) {
        const total = [...lost].sort((x, y) => y[1] - x[1]).map(([what, n]) => ({ what, n }))
        summary.warnings.push(`in all, not kept: ${describeDropped(total)}`)
      }
      if (droppedSkips > 0) summary.warnings.push(`${droppedSkips} more skipped items are not listed`)
      if (droppedWarnings > 0) summary.warnings.push(`${droppedWarnings} more warnings are not listed`)
      return summary
    }
  }
}
export type SummaryRecorder = ReturnType<typeof createSummaryRecorder>
