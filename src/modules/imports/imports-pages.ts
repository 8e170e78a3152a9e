import { sanitizePostHtml } from '../../lib/sanitize.js'
import { makeExcerpt } from '../../lib/text.js'
import { uniqueSlug } from '../../lib/slugify.js'
import type { PageInput } from '../pages/pages-service.js'
import { droppedConstructs } from './imports-dropped.js'
import type { ImportContext, ItemTx } from './imports-context.js'
import type { FeaturedImages } from './imports-featured-images.js'
import { seoCount, type ImportSeo } from './imports-seo.js'
import type { Outcome } from './imports-summary.js'
import { importSlug, plain } from './imports-values.js'

/** A page as a reader hands it over (imports-wxr.ts). */
export interface ImportPage {
  /** import_key: identity across re-imports (as posts: wxr:<guid>). */
  key: string
  /** How the summary names it: wp:<id>. */
  ref: string
  /** The id other items of the file name it by (children's wp:post_parent, menu items). */
  sourceId: string
  title: string
  slug?: string
  status: 'draft' | 'scheduled' | 'published'
  publishedAt: number | null
  /** Body HTML before sanitizing, already given paragraphs (and cut to the body limit). */
  contentHtml: string
  excerpt?: string
  /** The source id of the parent page, or null for a top page. */
  parentId: string | null
  menuOrder: number
  /** undefined: none named; the attachment id of its featured image otherwise. */
  thumbnailId?: string
  seo: ImportSeo
  lost?: Array<{ what: string, n: number }>
}

const MENU_ORDER_MAX = 1_000_000

/**
 * Pages, matched with earlier imports by import key, each one transaction through the pages
 * service (sanitized, logged, announced as `page` changes like an API write). A parent that
 * comes later in the file is linked at the end; a parent that is not in the file, or that would
 * make a cycle, leaves the page at the top with a warning.
 */
export function createPageImporter (ctx: ImportContext, parts: { images: FeaturedImages }) {
  const { repo, writes, report, item, iframeHosts } = ctx
  const { images } = parts
  // Source id → page id, for the pages of this run.
  const ids = new Map<string, { id: number, title: string }>()
  const keysThisRun = new Set<string>()
  // Pages whose parent or featured image was not known when they were written.
  const waiting: Array<{ id: number, ref: string, parentId?: string, thumbnailId?: string, outcome: Outcome }> = []

  /** Whether making `parentId` the parent of `id` would put the page below itself. */
  function cycle (id: number, parentId: number): boolean {
    let at: number | null | undefined = parentId
    for (let steps = 0; at !== null && at !== undefined && steps < 10_000; steps++) {
      if (at === id) return true
      at = repo.pagePlaceOf(at)?.parentId
    }
    return false
  }

  function page (p: ImportPage): void {
    if (keysThisRun.has(p.key)) {
      report.skip('page', p.ref, `a second item with import key ${p.key} in the same file`)
      return
    }
    keysThisRun.add(p.key)
    const content = sanitizePostHtml(p.contentHtml, { iframeHosts })
    const lost = [...(p.lost ?? []), ...droppedConstructs(p.contentHtml, content)]
    const featured: { url: string, alt: string } | null | undefined = p.thumbnailId === undefined ? null : images.find(p.thumbnailId)
    const parent = p.parentId === null ? undefined : ids.get(p.parentId)
    const result = item('page', p.ref, (tx: ItemTx) => {
      const existing = repo.pageByImportKey(p.key)
      const title = plain(p.title, 300) || '(untitled)'
      const candidate = importSlug(p.slug, title, 'page')
      const input: PageInput = {
        title,
        excerpt: p.excerpt?.trim() ? plain(p.excerpt, 2000) || null : null,
        content_html: p.contentHtml,
        status: p.status,
        published_at: p.publishedAt === null ? null : new Date(p.publishedAt).toISOString(),
        menu_order: Math.max(-MENU_ORDER_MAX, Math.min(MENU_ORDER_MAX, p.menuOrder)),
        import_key: p.key,
        ...p.seo
      }
      // A parent written already (earlier in the file) is set now; one still to come, at the end.
      if (p.parentId === null) input.parent_id = null
      else if (parent !== undefined && (existing === undefined || !cycle(existing.id, parent.id))) input.parent_id = parent.id
      if (featured !== undefined) input.featured_image = featured
      if (input.status === 'scheduled' && (p.publishedAt === null || p.publishedAt <= tx.now)) input.status = 'published'
      let id: number
      let outcome: Outcome
      if (existing === undefined) {
        input.slug = uniqueSlug(candidate, (s) => repo.pageSlugTaken(s))
        id = writes.pages.create(input as PageInput & { title: string })
        outcome = 'created'
      } else {
        id = existing.id
        if (existing.slug !== candidate && !repo.pageSlugTaken(candidate, existing.id)) input.slug = candidate
        const excerpt = input.excerpt ?? makeExcerpt(content)
        const stored = input.status === 'scheduled' ? 'published' : input.status
        const publishedAt = p.publishedAt ?? (stored === 'published' && existing.status === 'published' ? existing.publishedAt : null)
        const seoSame = Object.entries(p.seo).every(([k, v]) => (existing as Record<string, unknown>)[camel(k)] === v)
        const same = existing.title === title && (input.slug === undefined || input.slug === existing.slug) &&
          existing.contentHtml === content && existing.excerpt === excerpt && existing.status === stored &&
          existing.publishedAt === publishedAt && existing.menuOrder === input.menu_order &&
          (input.parent_id === undefined || existing.parentId === input.parent_id) &&
          (featured === undefined || (existing.featuredImageUrl === (featured?.url ?? null) && (featured === null || existing.featuredImageAlt === featured.alt))) &&
          seoSame
        if (same) {
          outcome = 'unchanged'
        } else {
          if (p.publishedAt === null && stored === 'published') delete input.published_at
          // A null excerpt: the service derives one from the body, as the comparison above did.
          writes.pages.update(id, input)
          outcome = 'updated'
        }
      }
      tx.count('pages', outcome)
      return { id, outcome, parentSet: input.parent_id !== undefined }
    })
    if (result === undefined) return
    report.summary.seo_fields += seoCount(p.seo)
    ids.set(p.sourceId, { id: result.id, title: plain(p.title, 300) })
    report.lost(p.ref, lost)
    const parentLater = p.parentId !== null && !result.parentSet ? p.parentId : undefined
    const imageLater = featured === undefined ? p.thumbnailId : undefined
    if (parentLater !== undefined || imageLater !== undefined) waiting.push({ id: result.id, ref: p.ref, parentId: parentLater, thumbnailId: imageLater, outcome: result.outcome })
  }

  /** Links the parents and featured images that came later in the file, each page as its own transaction. */
  function finish (): void {
    for (const w of waiting) {
      const set: PageInput = {}
      if (w.parentId !== undefined) {
        const parent = ids.get(w.parentId)
        if (parent === undefined) {
          report.warn(`${w.ref}: its parent page (wp:${w.parentId}) is not in the file: imported at the top`)
          set.parent_id = null
        } else if (cycle(w.id, parent.id)) {
          report.warn(`${w.ref}: its parent page (wp:${w.parentId}) is below it (a cycle): imported at the top`)
          set.parent_id = null
        } else {
          set.parent_id = parent.id
        }
      }
      if (w.thumbnailId !== undefined) {
        const image = images.find(w.thumbnailId)
        if (image === undefined) report.warn(`${w.ref}: featured image (attachment ${w.thumbnailId}) is not in the file`)
        set.featured_image = image ?? null
      }
      item('page', w.ref, (tx) => {
        const current = repo.pagePlaceOf(w.id)
        if (current === undefined) return
        const changes: PageInput = {}
        if (set.parent_id !== undefined && set.parent_id !== current.parentId) changes.parent_id = set.parent_id
        const image = set.featured_image
        if (image !== undefined && (current.featuredImageUrl !== (image?.url ?? null) || (image !== null && current.featuredImageAlt !== image.alt))) changes.featured_image = image
        if (Object.keys(changes).length === 0) return
        writes.pages.update(w.id, changes)
        if (w.outcome === 'unchanged') {
          report.summary.unchanged.pages--
          tx.count('pages', 'updated')
        }
      })
    }
    waiting.length = 0
  }

  return {
    page,
    finish,
    /** The page this run imported for a source id. */
    idOf: (sourceId: string) => ids.get(sourceId)
  }
}
export type PageImporter = ReturnType<typeof createPageImporter>

function camel (field: string): string {
  return field.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
}
