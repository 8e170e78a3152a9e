import { htmlParser } from '../../lib/lazy.js'
import { unwrapMarkers } from '../../lib/page-markers.js'

// What sanitizing took out of an imported body, so that the summary can say so: the elements
// and attributes of the HTML before and after are counted, and whatever is fewer afterwards
// was dropped. Comparing inventories rather than hooking into the sanitizer keeps this true
// whatever the allowlist (src/lib/sanitize.ts) is, and it reads each body once more with
// htmlparser2, the parser sanitize-html uses.

// Elements sanitizing removes with everything inside: what is inside is not counted apart.
const WHOLE = new Set(['script', 'style', 'textarea', 'option', 'noscript', 'noembed', 'noframes', 'title', 'svg', 'math', 'template', 'object', 'embed', 'form', 'button', 'select'])
// Renamed, not dropped.
const RENAMED: Record<string, string> = { h1: 'h2' }

interface Inventory {
  tags: Map<string, number>
  /** `tag attribute` → count. */
  attrs: Map<string, number>
  /** Hosts of iframes. */
  frames: Map<string, number>
}

function add (map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n)
}

function hostOf (src: string | undefined): string {
  try {
    return new URL(src ?? '').hostname || 'no host'
  } catch {
    return 'a relative or invalid address'
  }
}

function inventory (html: string): Inventory {
  const inv: Inventory = { tags: new Map(), attrs: new Map(), frames: new Map() }
  let inside = 0
  const parser = htmlParser({
    onopentag (raw, attribs) {
      if (inside > 0) {
        if (WHOLE.has(raw)) inside++
        return
      }
      const name = RENAMED[raw] ?? raw
      add(inv.tags, name)
      if (WHOLE.has(raw)) inside++
      for (const a of Object.keys(attribs)) add(inv.attrs, `${name} ${a}`)
      if (name === 'iframe') add(inv.frames, hostOf(attribs.src))
    },
    onclosetag (raw) {
      if (inside > 0 && WHOLE.has(raw)) inside--
    }
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true })
  parser.write(html)
  parser.end()
  return inv
}

/** One kind of thing dropped: `what` ("<script>", "<iframe> from x.com", "class attribute"), how many, and where. */
export interface Dropped { what: string, n: number, on?: string }

/** Dropped things in words: "2 <script>, 3 × class attribute (on <p>, <div>)". */
export function describeDropped (list: Dropped[]): string {
  return list.map((d) => `${d.n} × ${d.what}${d.on === undefined ? '' : ` (on ${d.on})`}`).join(', ')
}

/** What is in `before` and no longer in `after`; empty when nothing was dropped. */
export function droppedConstructs (before: string, after: string): Dropped[] {
  if (before === after) return []
  // Sanitizing takes WordPress's markers out of their paragraphs: that is no loss.
  const a = inventory(unwrapMarkers(before))
  const b = inventory(after)
  const out: Dropped[] = []
  const removedTags = new Set<string>()
  for (const [tag, n] of a.tags) {
    const lost = n - (b.tags.get(tag) ?? 0)
    if (lost <= 0) continue
    removedTags.add(tag)
    if (tag !== 'iframe') out.push({ what: `<${tag}>`, n: lost })
  }
  for (const [host, n] of a.frames) {
    const lost = n - (b.frames.get(host) ?? 0)
    if (lost > 0) out.push({ what: `<iframe> from ${host}`, n: lost })
  }
  // Attributes of elements that were kept (an element dropped whole takes its attributes along).
  const byAttr = new Map<string, { n: number, tags: Set<string> }>()
  for (const [key, n] of a.attrs) {
    const [tag, attr] = key.split(' ')
    if (removedTags.has(tag)) continue
    const lost = n - (b.attrs.get(key) ?? 0)
    if (lost <= 0) continue
    const entry = byAttr.get(attr) ?? { n: 0, tags: new Set<string>() }
    entry.n += lost
    entry.tags.add(`<${tag}>`)
    byAttr.set(attr, entry)
  }
  for (const [attr, { n, tags }] of byAttr) out.push({ what: `${attr} attribute`, n, on: [...tags].slice(0, 5).join(', ') })
  return out
}
