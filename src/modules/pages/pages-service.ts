import type { Writer, Emit } from '../../db/write.js'
import type { PostState } from '../../db/change-bus.js'
import { FieldError, NotFound, SlugConflict, Unprocessable } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { sanitizePostHtml } from '../../lib/sanitize.js'
import { makeExcerpt } from '../../lib/text.js'
import { seoErrors } from '../../lib/seo.js'
import type { PageNode, PageRow, PagesRepository, PageValues } from './pages-repository.js'
import type { CreatePageBodyType, UpdatePageBodyType } from './pages-schemas.js'

export type PageInput = UpdatePageBodyType & {
  /** Importers only: identity of the imported page. */
  import_key?: string | null
}

/** Who reads: the public (live pages under live parents only) or a key that may read drafts. */
export type PageVisibility = 'public' | 'any'

/** The page tree at one moment: order, paths and which pages the public may see. */
export interface PageTree {
  byId: Map<number, PageNode>
  bySlug: Map<string, number>
  /** Every page, depth first, siblings by menu_order, title, id. */
  order: number[]
  path: Map<number, string>
  depth: Map<number, number>
  /** Live pages whose ancestors are all live: what the public sees. */
  live: Set<number>
}

/** Whether a page state is visible by itself at `now` (published, its time come). */
export function isLivePage (node: Pick<PageNode, 'status' | 'publishedAt'>, now: number): boolean {
  return node.status === 'published' && node.publishedAt !== null && node.publishedAt <= now
}

/** Builds the tree of pages given in sibling order; a page in a cycle (never stored: writes refuse one) is left out. */
export function buildPageTree (nodes: PageNode[], now: number): PageTree {
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const bySlug = new Map(nodes.map((n) => [n.slug, n.id]))
  const children = new Map<number | null, number[]>()
  for (const n of nodes) {
    const parent = n.parentId !== null && byId.has(n.parentId) ? n.parentId : null
    const list = children.get(parent) ?? []
    list.push(n.id)
    children.set(parent, list)
  }
  const order: number[] = []
  const path = new Map<number, string>()
  const depth = new Map<number, number>()
  const live = new Set<number>()
  // Depth first without recursion: a deep tree cannot overflow the stack.
  const stack: Array<{ id: number, prefix: string, level: number, parentLive: boolean }> =
    (children.get(null) ?? []).map((id) => ({ id, prefix: '', level: 0, parentLive: true })).reverse()
  while (stack.length > 0) {
    const { id, prefix, level, parentLive } = stack.pop()!
    const node = byId.get(id)!
    const own = prefix + node.slug
    order.push(id)
    path.set(id, own)
    depth.set(id, level)
    const isLive = parentLive && isLivePage(node, now)
    if (isLive) live.add(id)
    const below = children.get(id) ?? []
    for (let i = below.length - 1; i >= 0; i--) stack.push({ id: below[i], prefix: own + '/', level: level + 1, parentLive: isLive })
  }
  return { byId, bySlug, order, path, depth, live }
}

/** How a page stands for the change log and webhooks (the post state shape). */
export function pageState (row: Pick<PageRow, 'slug' | 'status' | 'publishedAt'>): PostState {
  return { slug: row.slug, status: row.status, publishedAt: row.publishedAt }
}

/**
 * Pages: reads shaped by the tree (remembered per content stamp, which changes with every write
 * and every scheduled go-live) and writes, each one transaction through the writer, announced
 * on the change bus as `page` changes.
 */
export function createPagesService (deps: { repo: PagesRepository, write: Writer, stamp: (now?: number) => string, iframeHosts: string[] }) {
  const { repo, write, stamp, iframeHosts } = deps
  let memo: { stamp: string, tree: PageTree } | undefined

  function tree (now: number): PageTree {
    const s = stamp(now)
    if (memo?.stamp !== s) memo = { stamp: s, tree: buildPageTree(repo.nodes(), now) }
    return memo.tree
  }

  /** The id of the page a ref (id or slug) names, if the reader may see it. */
  function idOf (t: PageTree, text: string, visibility: PageVisibility): number | undefined {
    const ref = parseRef(text)
    const id = ref === null ? undefined : ref.id ?? t.bySlug.get(ref.slug)
    if (id === undefined || !t.byId.has(id) || !t.path.has(id)) return undefined
    return visibility === 'any' || t.live.has(id) ? id : undefined
  }

  function parseTime (value: string | null | undefined): number | null | undefined {
    if (value === undefined || value === null) return value
    return Date.parse(value)
  }

  function resolveStatus (status: PageInput['status'], publishedAt: number | null, now: number): Pick<PageRow, 'status' | 'publishedAt'> {
    switch (status) {
      case 'scheduled':
        if (publishedAt === null || publishedAt <= now) {
          throw new FieldError([{ in: 'body', path: 'published_at', message: 'a scheduled page needs a published_at in the future' }], 422)
        }
        return { status: 'published', publishedAt }
      case 'published':
        return { status: 'published', publishedAt: publishedAt ?? now }
      case 'draft':
      case undefined:
        return { status: 'draft', publishedAt }
    }
  }

  function pickSlug (explicit: string | undefined, title: string, id = 0): string {
    if (explicit !== undefined) {
      if (repo.slugTaken(explicit, id)) throw new SlugConflict('page', explicit)
      return explicit
    }
    return uniqueSlug(slugify(title, 'page'), (s) => repo.slugTaken(s, id))
  }

  // The parent must exist and must not be the page itself or lie below it (id 0: a new page).
  function checkParent (id: number, parentId: number | null | undefined): void {
    if (parentId === null || parentId === undefined) return
    const nodes = new Map(repo.nodes().map((n) => [n.id, n]))
    if (!nodes.has(parentId)) throw new FieldError([{ in: 'body', path: 'parent_id', message: `page ${parentId} does not exist` }], 422)
    for (let at: number | null = parentId, steps = 0; at !== null && steps <= nodes.size; at = nodes.get(at)?.parentId ?? null, steps++) {
      if (at === id) throw new FieldError([{ in: 'body', path: 'parent_id', message: 'would make the page its own ancestor (a cycle)' }], 422)
    }
  }

  function checkSeo (input: PageInput): void {
    const errors = seoErrors(input)
    if (errors.length > 0) throw new FieldError(errors, 422)
  }

  /** The columns a write sets from its body (undefined: unchanged). */
  function columns (input: PageInput): Partial<PageValues> {
    const out: Partial<PageValues> = {
      title: input.title,
      parentId: input.parent_id,
      menuOrder: input.menu_order,
      canonicalUrl: input.canonical_url,
      metaTitle: input.meta_title,
      metaDescription: input.meta_description,
      ogTitle: input.og_title,
      ogDescription: input.og_description,
      ogImage: input.og_image,
      twitterTitle: input.twitter_title,
      twitterDescription: input.twitter_description,
      twitterImage: input.twitter_image,
      noindex: input.noindex,
      importKey: input.import_key
    }
    if (input.featured_image !== undefined) {
      out.featuredImageUrl = input.featured_image?.url ?? null
      out.featuredImageAlt = input.featured_image ? (input.featured_image.alt ?? '') : null
    }
    if (input.content_html !== undefined) out.contentHtml = sanitizePostHtml(input.content_html, { iframeHosts })
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<PageValues>
  }

  function load (id: number): PageRow {
    const row = repo.findById(id)
    if (row === undefined) throw new NotFound('Page', String(id))
    return row
  }

  /** Tells the bus that pages below moved or changed path (their parent changed or went). */
  function announceChildren (emit: Emit, id: number): void {
    for (const child of repo.children(id)) emit({ kind: 'page', id: child.id, before: pageState(child), after: pageState(child) })
  }

  return {
    tree,

    /** The page a ref names, with its path, if the reader may see it. */
    find (text: string, visibility: PageVisibility, now: number): { row: PageRow, path: string } | undefined {
      const t = tree(now)
      const id = idOf(t, text, visibility)
      const row = id === undefined ? undefined : repo.findById(id)
      return row === undefined ? undefined : { row, path: t.path.get(row.id)! }
    },

    /** The page at a full path (about/team), if the reader may see it and its ancestors. */
    findByPath (path: string, visibility: PageVisibility, now: number): number | undefined {
      const t = tree(now)
      const slugs = path.split('/').filter((s) => s !== '')
      const id = t.bySlug.get(slugs.at(-1)?.toLowerCase() ?? '')
      if (id === undefined || t.path.get(id) !== slugs.join('/').toLowerCase()) return undefined
      return visibility === 'any' || t.live.has(id) ? id : undefined
    },

    /** A page of the list: depth first, siblings by menu_order; `parent` narrows to one level. */
    list (opts: { parent?: string, path?: string, status?: string, offset: number, limit: number }, visibility: PageVisibility, now: number) {
      const t = tree(now)
      let ids = visibility === 'any' ? t.order : t.order.filter((id) => t.live.has(id))
      if (opts.parent !== undefined) {
        const parentId = opts.parent === '0' ? null : idOf(t, opts.parent, visibility)
        if (parentId === undefined) throw new NotFound('Page', `${JSON.stringify(opts.parent)} (parent)`)
        ids = ids.filter((id) => (t.byId.get(id)!.parentId ?? null) === parentId)
      }
      if (opts.path !== undefined) {
        const id = this.findByPath(opts.path, visibility, now)
        if (id === undefined) throw new NotFound('Page', `${JSON.stringify(opts.path)} (path)`)
        ids = ids.filter((x) => x === id)
      }
      if (opts.status !== undefined && opts.status !== 'any') {
        const wanted = opts.status
        ids = ids.filter((id) => {
          const n = t.byId.get(id)!
          const status = n.status === 'published' && n.publishedAt !== null && n.publishedAt > now ? 'scheduled' : n.status
          return status === wanted
        })
      }
      const shown = ids.slice(opts.offset, opts.offset + opts.limit)
      const rows = new Map(repo.summaries(shown).map((r) => [r.id, r]))
      return { total: ids.length, rows: shown.flatMap((id) => { const r = rows.get(id); return r === undefined ? [] : [{ row: r, path: t.path.get(id)! }] }) }
    },

    /** The page as the public sees it right now, from the database (inside a write, before the stamp moves). */
    findLiveFresh (id: number, now: number): { row: PageRow, path: string } | undefined {
      const t = buildPageTree(repo.nodes(), now)
      const row = t.live.has(id) ? repo.findById(id) : undefined
      return row === undefined ? undefined : { row, path: t.path.get(id)! }
    },

    create (input: CreatePageBodyType & PageInput): number {
      checkSeo(input)
      checkParent(0, input.parent_id)
      return write((emit, now) => {
        if (input.import_key && repo.idByImportKey(input.import_key) !== undefined) throw new Unprocessable(`an imported page with key ${input.import_key} already exists`)
        const set = columns(input)
        const contentHtml = set.contentHtml ?? ''
        const state = resolveStatus(input.status, parseTime(input.published_at) ?? null, now)
        const slug = pickSlug(input.slug, input.title)
        const id = repo.insert({
          ...set,
          title: input.title,
          slug,
          contentHtml,
          excerpt: input.excerpt ? input.excerpt : makeExcerpt(contentHtml),
          ...state,
          createdAt: now,
          updatedAt: now
        })
        emit({ kind: 'page', id, before: null, after: pageState({ slug, ...state }) })
        return id
      })
    },

    update (id: number, input: PageInput): void {
      checkSeo(input)
      checkParent(id, input.parent_id)
      write((emit, now) => {
        const old = load(id)
        const set = columns(input)
        const next: PageRow = { ...old, ...set }
        if (input.slug !== undefined && input.slug !== old.slug) next.slug = pickSlug(input.slug, next.title, id)
        if (input.excerpt !== undefined && input.excerpt !== null && input.excerpt !== '') {
          next.excerpt = input.excerpt
        } else if (input.excerpt !== undefined || (input.content_html !== undefined && old.excerpt === makeExcerpt(old.contentHtml))) {
          next.excerpt = makeExcerpt(next.contentHtml)
        }
        const published = parseTime(input.published_at)
        const publishedAt = published === undefined ? old.publishedAt : published
        if (input.status !== undefined) {
          Object.assign(next, resolveStatus(input.status, publishedAt, now))
        } else if (published !== undefined) {
          if (old.status === 'published' && published === null) {
            throw new FieldError([{ in: 'body', path: 'published_at', message: 'a published page needs a published_at' }], 422)
          }
          next.publishedAt = published
        }
        next.updatedAt = now
        const { id: _id, createdAt: _created, ...values } = next
        repo.update(id, values)
        emit({ kind: 'page', id, before: pageState(old), after: pageState(next) })
        // The pages below have a new path (slug or place) or visibility (status).
        if (next.slug !== old.slug || next.parentId !== old.parentId || next.status !== old.status || next.publishedAt !== old.publishedAt) announceChildren(emit, id)
      })
    },

    /** Deletes a page; the pages below it move up to its parent, as WordPress does. */
    remove (id: number): void {
      write((emit, now) => {
        const old = load(id)
        const moved = repo.children(id)
        repo.moveChildren(id, old.parentId, now)
        repo.remove(id)
        emit({ kind: 'page', id, before: pageState(old), after: null })
        for (const child of moved) emit({ kind: 'page', id: child.id, before: pageState(child), after: pageState(child) })
      })
    },

    /** The page id for an importer's key, if it was imported before. */
    findByImportKey: (key: string): number | undefined => repo.idByImportKey(key)
  }
}
export type PagesService = ReturnType<typeof createPagesService>
