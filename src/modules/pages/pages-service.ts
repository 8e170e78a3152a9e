import type { Writer } from '../../db/write.js'
import type { PostState } from '../../db/change-bus.js'
import type { EngineTx } from '../../db/engine-port.js'
import type { EngineWrite } from '../../db/engine-write.js'
import { FieldError, NotFound, SlugConflict, Unprocessable } from '../../errors.js'
import { parseRef } from '../../lib/refs.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { sanitizePostHtml } from '../../lib/sanitize.js'
import { makeExcerpt } from '../../lib/text.js'
import { seoErrors } from '../../lib/seo.js'
import type { PageChild, PageNode, PageRow, PagesRepository, PagesSyncRepository, PageSummaryRow, PageValues } from './pages-repository.js'
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

// The rules of page writes and tree reads, shared by the engine-neutral service and its
// synchronous twin on SQLite (below): each step that needs no database is one function here.

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

// The parent must exist and must not be the page itself or lie below it (id 0: a new page).
function checkParent (pages: PageNode[], id: number, parentId: number | null | undefined): void {
  if (parentId === null || parentId === undefined) return
  const nodes = new Map(pages.map((n) => [n.id, n]))
  if (!nodes.has(parentId)) throw new FieldError([{ in: 'body', path: 'parent_id', message: `page ${parentId} does not exist` }], 422)
  for (let at: number | null = parentId, steps = 0; at !== null && steps <= nodes.size; at = nodes.get(at)?.parentId ?? null, steps++) {
    if (at === id) throw new FieldError([{ in: 'body', path: 'parent_id', message: 'would make the page its own ancestor (a cycle)' }], 422)
  }
}

function checkSeo (input: PageInput): void {
  const errors = seoErrors(input)
  if (errors.length > 0) throw new FieldError(errors, 422)
}

/**
 * A text holding NUL is refused as a 400 on both engines (PostgreSQL text cannot store it):
 * HTTP bodies are refused before (plugins/validation.ts), this keeps the rule for every caller
 * of the engine-neutral service.
 */
function refuseNul (input: PageInput): void {
  const texts: Array<[string, unknown]> = Object.entries(input)
  if (input.featured_image != null) texts.push(['featured_image.url', input.featured_image.url], ['featured_image.alt', input.featured_image.alt])
  const errors = texts.flatMap(([path, value]) => typeof value === 'string' && value.includes('\u0000')
    ? [{ in: 'body', path, message: 'must not contain the NUL character (U+0000)' }]
    : [])
  if (errors.length > 0) throw new FieldError(errors)
}

/** The columns a write sets from its body (undefined: unchanged). */
function columnsOf (input: PageInput, iframeHosts: string[]): Partial<PageValues> {
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

/** A new page's row from its body's columns, but its slug (picked after: a 422 of its status comes before a 409 of its slug). */
function newPage (input: CreatePageBodyType & PageInput, set: Partial<PageValues>, now: number): Omit<PageValues, 'slug'> & Pick<PageRow, 'status' | 'publishedAt'> {
  const contentHtml = set.contentHtml ?? ''
  const state = resolveStatus(input.status, parseTime(input.published_at) ?? null, now)
  return {
    ...set,
    title: input.title,
    contentHtml,
    excerpt: input.excerpt ? input.excerpt : makeExcerpt(contentHtml),
    ...state,
    createdAt: now,
    updatedAt: now
  }
}

/** A page's row after an update (its slug already checked), the excerpt and status rules applied. */
function changedPage (old: PageRow, input: PageInput, set: Partial<PageValues>, slug: string, now: number): PageRow {
  const next: PageRow = { ...old, ...set, slug }
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
  return next
}

/** Whether the pages below have a new path (slug or place) or visibility (status) after a write. */
const movesChildren = (old: PageRow, next: PageRow) =>
  next.slug !== old.slug || next.parentId !== old.parentId || next.status !== old.status || next.publishedAt !== old.publishedAt

/** The changes that re-announce pages unchanged (their parent changed or went). */
const childChanges = (children: PageChild[]) => children.map((child) => ({ kind: 'page' as const, id: child.id, before: pageState(child), after: pageState(child) }))

/** The id of the page a ref (id or slug) names, if the reader may see it. */
function idOf (t: PageTree, text: string, visibility: PageVisibility): number | undefined {
  const ref = parseRef(text)
  const id = ref === null ? undefined : ref.id ?? t.bySlug.get(ref.slug)
  if (id === undefined || !t.byId.has(id) || !t.path.has(id)) return undefined
  return visibility === 'any' || t.live.has(id) ? id : undefined
}

/** The page at a full path (about/team), if the reader may see it and its ancestors. */
function idAtPath (t: PageTree, path: string, visibility: PageVisibility): number | undefined {
  const slugs = path.split('/').filter((s) => s !== '')
  const id = t.bySlug.get(slugs.at(-1)?.toLowerCase() ?? '')
  if (id === undefined || t.path.get(id) !== slugs.join('/').toLowerCase()) return undefined
  return visibility === 'any' || t.live.has(id) ? id : undefined
}

/** What a page list asks for. */
export interface PageListOptions { parent?: string, path?: string, status?: string, offset: number, limit: number }

/** The ids of a page of the list and their total: depth first, siblings by menu_order; `parent` narrows to one level. */
function listedIds (t: PageTree, opts: PageListOptions, visibility: PageVisibility, now: number): { total: number, shown: number[] } {
  let ids = visibility === 'any' ? t.order : t.order.filter((id) => t.live.has(id))
  if (opts.parent !== undefined) {
    const parentId = opts.parent === '0' ? null : idOf(t, opts.parent, visibility)
    if (parentId === undefined) throw new NotFound('Page', `${JSON.stringify(opts.parent)} (parent)`)
    ids = ids.filter((id) => (t.byId.get(id)!.parentId ?? null) === parentId)
  }
  if (opts.path !== undefined) {
    const id = idAtPath(t, opts.path, visibility)
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
  return { total: ids.length, shown: ids.slice(opts.offset, opts.offset + opts.limit) }
}

/** The list's rows in the tree's order, with their paths. */
function listRows (t: PageTree, shown: number[], found: PageSummaryRow[]): Array<{ row: PageSummaryRow, path: string }> {
  const rows = new Map(found.map((r) => [r.id, r]))
  return shown.flatMap((id) => { const r = rows.get(id); return r === undefined ? [] : [{ row: r, path: t.path.get(id)! }] })
}

export interface PagesServiceDeps {
  repo: PagesRepository
  /** The engine-neutral writer (src/db/engine-write.ts): every change one transaction. */
  write: EngineWrite
  /** The content stamp of PAGES_KEY: the tree is remembered while it stays the same. */
  stamp: (now?: number) => string
  iframeHosts: string[]
}

/**
 * Pages on either engine: reads shaped by the tree (remembered per content stamp, which changes
 * with every write and every scheduled go-live) and writes, each one transaction through the
 * engine-neutral writer, announced on the change bus as `page` changes. Everything a write
 * decides on is read inside it, through `tx`.
 */
export function createPagesService (deps: PagesServiceDeps) {
  const { repo, write, stamp, iframeHosts } = deps
  let memo: { stamp: string, tree: PageTree } | undefined

  async function tree (now: number): Promise<PageTree> {
    // The stamp first: a write committed while the nodes are read leaves a stale stamp, never a stale tree.
    const s = stamp(now)
    if (memo?.stamp === s) return memo.tree
    const built = buildPageTree(await repo.nodes(), now)
    memo = { stamp: s, tree: built }
    return built
  }

  async function load (tx: EngineTx, id: number): Promise<PageRow> {
    const row = await repo.findById(id, tx)
    if (row === undefined) throw new NotFound('Page', String(id))
    return row
  }

  async function pickSlug (tx: EngineTx, explicit: string | undefined, title: string, id = 0): Promise<string> {
    if (explicit !== undefined) {
      if (await repo.slugTaken(tx, explicit, id)) throw new SlugConflict('page', explicit)
      return explicit
    }
    // uniqueSlug's candidates (base, base-2, base-3…), asked in turn.
    const base = slugify(title, 'page')
    let candidate = base
    for (let n = 2; await repo.slugTaken(tx, candidate, id); n++) candidate = `${base}-${n}`
    return candidate
  }

  return {
    tree,

    /** The page a ref names, with its path, if the reader may see it. */
    async find (text: string, visibility: PageVisibility, now: number): Promise<{ row: PageRow, path: string } | undefined> {
      const t = await tree(now)
      const id = idOf(t, text, visibility)
      const row = id === undefined ? undefined : await repo.findById(id)
      return row === undefined ? undefined : { row, path: t.path.get(row.id)! }
    },

    /** The page at a full path (about/team), if the reader may see it and its ancestors. */
    async findByPath (path: string, visibility: PageVisibility, now: number): Promise<number | undefined> {
      return idAtPath(await tree(now), path, visibility)
    },

    /** A page of the list: depth first, siblings by menu_order; `parent` narrows to one level. */
    async list (opts: PageListOptions, visibility: PageVisibility, now: number): Promise<{ total: number, rows: Array<{ row: PageSummaryRow, path: string }> }> {
      const t = await tree(now)
      const { total, shown } = listedIds(t, opts, visibility, now)
      return { total, rows: listRows(t, shown, await repo.summaries(shown)) }
    },

    async create (input: CreatePageBodyType & PageInput): Promise<number> {
      refuseNul(input)
      checkSeo(input)
      return await write(async (tx, emit, now) => {
        checkParent(await repo.nodes(tx), 0, input.parent_id)
        if (input.import_key && await repo.idByImportKey(input.import_key, tx) !== undefined) throw new Unprocessable(`an imported page with key ${input.import_key} already exists`)
        const values = { ...newPage(input, columnsOf(input, iframeHosts), now), slug: await pickSlug(tx, input.slug, input.title) }
        const id = await repo.insert(tx, values)
        emit({ kind: 'page', id, before: null, after: pageState(values) })
        return id
      })
    },

    async update (id: number, input: PageInput): Promise<void> {
      refuseNul(input)
      checkSeo(input)
      await write(async (tx, emit, now) => {
        if (input.parent_id !== undefined && input.parent_id !== null) checkParent(await repo.nodes(tx), id, input.parent_id)
        const old = await load(tx, id)
        const set = columnsOf(input, iframeHosts)
        const slug = input.slug !== undefined && input.slug !== old.slug ? await pickSlug(tx, input.slug, set.title ?? old.title, id) : old.slug
        const next = changedPage(old, input, set, slug, now)
        const { id: _id, createdAt: _created, ...values } = next
        await repo.update(tx, id, values)
        emit({ kind: 'page', id, before: pageState(old), after: pageState(next) })
        // The pages below have a new path (slug or place) or visibility (status).
        if (movesChildren(old, next)) for (const change of childChanges(await repo.children(tx, id))) emit(change)
      })
    },

    /** Deletes a page; the pages below it move up to its parent, as WordPress does. */
    async remove (id: number): Promise<void> {
      await write(async (tx, emit, now) => {
        const old = await load(tx, id)
        const moved = await repo.children(tx, id)
        await repo.moveChildren(tx, id, old.parentId, now)
        await repo.remove(tx, id)
        emit({ kind: 'page', id, before: pageState(old), after: null })
        for (const change of childChanges(moved)) emit(change)
      })
    },

    /** The page id for an importer's key, if it was imported before. */
    findByImportKey: async (key: string): Promise<number | undefined> => await repo.idByImportKey(key)
  }
}
export type PagesService = ReturnType<typeof createPagesService>

/**
 * The synchronous twin of createPagesService on SQLite, for the callers not yet ported: the
 * tree and lookups of menu targets (site-navigation.ts), the pages sitemap, webhook payloads
 * (findLiveFresh, inside a write's bus listener) and revisions' page refs; create and update
 * for the WXR import's items (inside a synchronous write of their own) and restores of
 * revisions. Same rules, same changes; it goes once those callers are ported.
 */
export function createPagesSyncService (deps: { repo: PagesSyncRepository, write: Writer, stamp: (now?: number) => string, iframeHosts: string[] }) {
  const { repo, write, stamp, iframeHosts } = deps
  let memo: { stamp: string, tree: PageTree } | undefined

  function tree (now: number): PageTree {
    const s = stamp(now)
    if (memo?.stamp !== s) memo = { stamp: s, tree: buildPageTree(repo.nodes(), now) }
    return memo.tree
  }

  function load (id: number): PageRow {
    const row = repo.findById(id)
    if (row === undefined) throw new NotFound('Page', String(id))
    return row
  }

  function pickSlug (explicit: string | undefined, title: string, id = 0): string {
    if (explicit !== undefined) {
      if (repo.slugTaken(explicit, id)) throw new SlugConflict('page', explicit)
      return explicit
    }
    return uniqueSlug(slugify(title, 'page'), (s) => repo.slugTaken(s, id))
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

    /** The page as the public sees it right now, from the database (inside a write, before the stamp moves). */
    findLiveFresh (id: number, now: number): { row: PageRow, path: string } | undefined {
      const t = buildPageTree(repo.nodes(), now)
      const row = t.live.has(id) ? repo.findById(id) : undefined
      return row === undefined ? undefined : { row, path: t.path.get(id)! }
    },

    create (input: CreatePageBodyType & PageInput): number {
      checkSeo(input)
      checkParent(repo.nodes(), 0, input.parent_id)
      return write((emit, now) => {
        if (input.import_key && repo.idByImportKey(input.import_key) !== undefined) throw new Unprocessable(`an imported page with key ${input.import_key} already exists`)
        const values = { ...newPage(input, columnsOf(input, iframeHosts), now), slug: pickSlug(input.slug, input.title) }
        const id = repo.insert(values)
        emit({ kind: 'page', id, before: null, after: pageState(values) })
        return id
      })
    },

    update (id: number, input: PageInput): void {
      checkSeo(input)
      if (input.parent_id !== undefined && input.parent_id !== null) checkParent(repo.nodes(), id, input.parent_id)
      write((emit, now) => {
        const old = load(id)
        const set = columnsOf(input, iframeHosts)
        const slug = input.slug !== undefined && input.slug !== old.slug ? pickSlug(input.slug, set.title ?? old.title, id) : old.slug
        const next = changedPage(old, input, set, slug, now)
        const { id: _id, createdAt: _created, ...values } = next
        repo.update(id, values)
        emit({ kind: 'page', id, before: pageState(old), after: pageState(next) })
        // The pages below have a new path (slug or place) or visibility (status).
        if (movesChildren(old, next)) for (const change of childChanges(repo.children(id))) emit(change)
      })
    }
  }
}
export type PagesSyncService = ReturnType<typeof createPagesSyncService>
