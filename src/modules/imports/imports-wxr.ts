import type { Readable } from 'node:stream'
import { UnreadableImport } from '../../errors.js'
import { readWxr, WxrError, type WxrEvent } from '../../lib/wxr.js'
import { autoEmbed, embedHtml, renderShortcodes, videoEmbed, wpautop } from '../../lib/wpautop.js'
import { httpUrl } from './imports-values.js'
import { createImportSession, type ImportComment, type ImportSession, type ImportTarget } from './imports-session.js'
import { mapPostStatus } from './imports-values.js'
import type { ImportSummary } from './imports-schemas.js'
import { seoFromMeta, type SeoContext } from './imports-seo.js'
import { plain } from './imports-values.js'

/**
 * Called between items with the summary so far, the items read and (when known) how many
 * there are: it reports progress, may throw to stop the import there, and may wait.
 */
export type ImportStep = (summary: ImportSummary, itemsRead: number, itemsTotal: number | null) => void | Promise<void>

type WxrItem = Extract<WxrEvent, { kind: 'item' }>['item']

function meta (item: WxrItem, key: string): string | undefined {
  return item.meta.find((m) => m.key === key)?.value
}

// WordPress keeps a draft's last-saved time in post_date: it is not a publication date.
const UNDATED = new Set(['draft', 'pending', 'auto-draft'])

/** What the channel says about the file: where the site was, and whether we wrote it (our export). */
export interface WxrSite {
  /** The channel's link (the old site's address). */
  siteUrl: string
  /** wp:base_blog_url, else the channel's link: where the old permalinks lived. */
  blogUrl: string
  /** Written by Broadsheet's own export: bodies are final HTML, not WordPress text to format. */
  ours: boolean
  iframeHosts: string[]
  /** The channel's title and description: what %%sitename%% and %%sitedesc%% stand for. */
  title: string
  description: string
}

/** What Broadsheet's export writes as the channel's generator (export-wxr.ts). */
export const BROADSHEET_GENERATOR = /^https:\/\/broadsheet\.dev\/\?v=/

/**
 * The old address of an item: its <link> when that is an absolute URL (WordPress writes the
 * permalink there), else the post name under the blog's address (WordPress's "post name"
 * permalinks), else nothing.
 */
export function legacyUrlOf (item: Pick<WxrItem, 'link' | 'slug'>, blogUrl: string): string | null {
  const link = httpUrl(item.link)
  if (link !== null) return link
  const base = httpUrl(blogUrl)
  if (base === null || item.slug === null || item.slug === '') return null
  return `${base.replace(/\/+$/, '')}/${item.slug}/`
}

/**
 * A WordPress body as the HTML WordPress showed: videos alone on their line (and [embed],
 * [youtube] shortcodes) become players from hosts IFRAME_HOSTS allows, else links; paragraphs;
 * shortcodes rendered. What could not be kept is added to `lost`.
 */
function formatBody (raw: string, site: WxrSite, lost: Map<string, number>): string {
  const note = (what: string) => lost.set(what, (lost.get(what) ?? 0) + 1)
  const hosts = new Set(site.iframeHosts.map((h) => h.toLowerCase()))
  const embed = (url: string): string | null => {
    const video = videoEmbed(url)
    if (video === null) return null
    // The importer makes iframes only from hosts the sanitizer keeps: anything else would be
    // dropped there, leaving nothing of the video.
    const allowed = hosts.has(video.host)
    if (!allowed) note(`${video.provider} player (kept as a link: ${video.host} is not in IFRAME_HOSTS)`)
    return embedHtml(video, allowed)
  }
  // WordPress splits pages at <!--nextpage--> before giving them paragraphs, and a teaser ends at
  // <!--more-->: both stand between paragraphs, never inside one.
  const marked = raw.replace(/[ \t]*\n?[ \t]*(<!--(?:more|nextpage)(?:\s[^<>]*?)?\s*-->)[ \t]*\n?/gi, '\n\n$1\n\n')
  return renderShortcodes(wpautop(autoEmbed(marked, embed)), { embed, onDrop: (name) => note(`[${name}] shortcode`) })
}

/** The SEO fields of an item's Yoast SEO or Rank Math meta; warnings name the item. */
function seoOf (session: ImportSession, item: WxrItem, site: WxrSite, ref: string) {
  const ctx: SeoContext = {
    title: plain(item.title, 300),
    excerpt: plain(item.excerptRaw, 2000),
    siteName: plain(site.title, 300),
    siteDescription: plain(site.description, 2000),
    category: item.categories[0]?.name ?? ''
  }
  return seoFromMeta(item.meta, ctx, (message) => session.warn(`${ref}: ${message}`), { templates: !site.ours })
}

/** A nav_menu_item, handed over for the end of the file (when its target has been imported). */
function importMenuItem (session: ImportSession, item: WxrItem, ref: string): void {
  if (item.navMenu === null) {
    session.skip('menu_item', ref, 'a menu item without its menu (no nav_menu category)')
    return
  }
  const parent = meta(item, '_menu_item_menu_item_parent') ?? '0'
  session.menuItem({
    ref,
    menu: item.navMenu,
    sourceId: String(item.wpId),
    parentId: parent === '0' || parent === '' ? null : parent,
    order: item.menuOrder,
    title: item.title,
    type: meta(item, '_menu_item_type') ?? '',
    object: meta(item, '_menu_item_object') ?? '',
    objectId: meta(item, '_menu_item_object_id') ?? null,
    url: meta(item, '_menu_item_url') ?? null
  })
}

/** The import key of an item: its guid, else (a guid already used in this file, or none) its id. */
function keyOf (session: ImportSession, item: WxrItem, site: WxrSite, guids: Set<string>, ref: string): string {
  // Hand-edited exports sometimes give two posts one guid: the second is keyed by its id.
  if (item.guid !== null && !guids.has(item.guid)) {
    guids.add(item.guid)
    return `wxr:${item.guid}`
  }
  if (item.guid !== null) session.warn(`${ref} has the same guid as an earlier item (${item.guid}): keyed by its WordPress id instead`)
  return `wxr:${site.siteUrl}#${item.wpId}`
}

function importPage (session: ImportSession, item: WxrItem, site: WxrSite, now: number, guids: Set<string>, ref: string): void {
  const publishedAt = UNDATED.has(item.wpStatus) && !site.ours ? null : (item.postDate?.getTime() ?? null)
  const mapped = mapPostStatus(item.wpStatus || 'draft', publishedAt, now)
  if ('skip' in mapped) {
    session.skip('page', ref, mapped.skip.replace(/^a post/, 'a page'))
    return
  }
  const status = item.password !== null && mapped.status !== 'draft' ? 'draft' : mapped.status
  if (status !== mapped.status) session.warn(`${ref} is password-protected in WordPress: imported as a draft`)
  const lost = new Map<string, number>()
  const raw = session.clipBody(ref, item.contentRaw, 'page')
  session.page({
    key: keyOf(session, item, site, guids, ref),
    ref,
    sourceId: String(item.wpId),
    title: item.title,
    slug: item.slug ?? undefined,
    status,
    publishedAt,
    contentHtml: site.ours ? raw : formatBody(raw, site, lost),
    excerpt: item.excerptRaw,
    parentId: item.parentWpId === null ? null : String(item.parentWpId),
    menuOrder: item.menuOrder,
    thumbnailId: item.thumbnailId === null ? undefined : String(item.thumbnailId),
    seo: seoOf(session, item, site, ref),
    lost: [...lost].map(([what, n]) => ({ what, n }))
  })
}

function importPost (session: ImportSession, item: WxrItem, site: WxrSite, now: number, guids: Set<string>): void {
  const ref = `wp:${item.wpId}`
  if (item.postType === 'attachment') {
    session.attachment(String(item.wpId), { url: item.attachmentUrl ?? item.guid ?? '', alt: meta(item, '_wp_attachment_image_alt') ?? '' })
    return
  }
  if (item.postType === 'page') {
    importPage(session, item, site, now, guids, ref)
    return
  }
  if (item.postType === 'nav_menu_item') {
    importMenuItem(session, item, ref)
    return
  }
  if (item.postType !== 'post') {
    session.ignore(item.postType)
    return
  }
  // Our own export writes a draft's date only when it has one.
  const publishedAt = UNDATED.has(item.wpStatus) && !site.ours ? null : (item.postDate?.getTime() ?? null)
  // Our export writes archived posts as private (WordPress has no archive), and says so here.
  const archived = meta(item, '_broadsheet_status') === 'archived' && item.wpStatus === 'private'
  const mapped = archived ? { status: 'archived' as const } : mapPostStatus(item.wpStatus || 'draft', publishedAt, now)
  if ('skip' in mapped) {
    session.skip('post', ref, mapped.skip)
    return
  }
  const comments: ImportComment[] = item.comments.map((c) => ({
    id: String(c.wpId),
    parentId: c.parentWpId === null ? null : String(c.parentWpId),
    authorName: c.authorName,
    authorEmail: c.authorEmail,
    authorUrl: c.authorUrl,
    authorIp: c.authorIp,
    // The reader gives undated comments the epoch.
    date: c.date.getTime() > 0 ? c.date.getTime() : null,
    content: c.content,
    approved: c.status,
    type: c.type,
    formatted: site.ours,
    text: site.ours ? c.meta.find((m) => m.key === '_broadsheet_text')?.value : undefined
  }))
  const key = keyOf(session, item, site, guids, ref)
  // A password-protected post has no public form here: it arrives as a draft for an editor.
  const status = item.password !== null && mapped.status !== 'draft' ? 'draft' : mapped.status
  const lost = new Map<string, number>()
  // Cut before formatting, so no body costs more than the longest a post may have.
  const raw = session.clipBody(ref, item.contentRaw)
  const sourceUrl = httpUrl(meta(item, '_broadsheet_source_url'))
  const canonical = httpUrl(meta(item, '_broadsheet_canonical_url'))
  if (status !== mapped.status) session.warn(`${ref} is password-protected in WordPress: imported as a draft`)
  session.post({
    key,
    ref,
    title: item.title,
    slug: item.slug ?? undefined,
    status,
    publishedAt,
    contentHtml: site.ours ? raw : formatBody(raw, site, lost),
    excerpt: item.excerptRaw,
    author: { login: item.creator ?? '', name: item.creator ?? '' },
    byline: item.coauthors.length === 0 ? undefined : item.coauthors.map((login) => ({ login, name: login })),
    categories: item.categories,
    tags: item.tags,
    commentStatus: item.commentStatus,
    sticky: item.sticky,
    featuredImage: item.thumbnailId === null ? null : undefined,
    thumbnailId: item.thumbnailId === null ? undefined : String(item.thumbnailId),
    source: sourceUrl === null ? undefined : { url: sourceUrl, name: meta(item, '_broadsheet_source_name') ?? '' },
    canonicalUrl: canonical ?? undefined,
    // Our export writes <link> only for a post that has an old address: no guessing from the slug.
    legacyUrl: site.ours ? httpUrl(item.link) : legacyUrlOf(item, site.blogUrl),
    comments,
    lost: [...lost].map(([what, n]) => ({ what, n })),
    sourceId: String(item.wpId),
    seo: seoOf(session, item, site, ref)
  })
}

/**
 * Streams a WordPress export into the database. Authors and terms are written as they come;
 * category parents are linked once every declared category exists (before the first item,
 * and again at the end); featured images whose attachment comes later are set at the end.
 * A file that breaks part-way keeps what came before and says where it broke; a body
 * that is not an export at all is a 422.
 */
export async function importWxrStream (target: ImportTarget, source: Readable | AsyncIterable<Buffer | string>, opts: { iframeHosts: string[], step?: ImportStep, replaceNavigation?: boolean }): Promise<ImportSummary> {
  const session = createImportSession(target, { iframeHosts: opts.iframeHosts, format: 'wxr', replaceNavigation: opts.replaceNavigation })
  const site: WxrSite = { siteUrl: '', blogUrl: '', ours: false, iframeHosts: opts.iframeHosts, title: '', description: '' }
  let seen = 0
  let content = 0
  let linked = false
  const guids = new Set<string>()
  const now = Date.now()
  try {
    for await (const event of readWxr(source)) {
      seen++
      if (event.kind !== 'site' && event.kind !== 'warning') content++
      switch (event.kind) {
        case 'site':
          session.summary.format = `wxr-${event.wxrVersion ?? '1.0'}`
          site.siteUrl = event.link ?? ''
          site.blogUrl = event.baseBlogUrl ?? event.link ?? ''
          site.ours = BROADSHEET_GENERATOR.test(event.generator ?? '')
          site.title = event.title
          site.description = event.description ?? ''
          break
        case 'author':
          session.author({
            login: event.author.login,
            name: event.author.displayName || [event.author.firstName, event.author.lastName].filter(Boolean).join(' ') || event.author.login,
            email: event.author.email
          })
          break
        case 'category':
          session.category({ slug: event.term.slug, name: event.term.name, description: event.term.description ?? undefined, parent: event.term.parentSlug ?? '', termId: event.term.termId === null ? undefined : String(event.term.termId) })
          break
        case 'tag':
          session.tag({ slug: event.term.slug, name: event.term.name, description: event.term.description ?? undefined, termId: event.term.termId === null ? undefined : String(event.term.termId) })
          break
        case 'item':
          if (!linked) {
            session.linkCategories()
            linked = true
          }
          importPost(session, event.item, site, now, guids)
          break
        case 'warning':
          session.warn(event.message)
          break
      }
      if (opts.step !== undefined) await opts.step(session.summary, seen, null)
    }
  } catch (err) {
    if (!(err instanceof WxrError)) throw err
    if (seen === 0) throw new UnreadableImport(`The body is not a readable WordPress export: ${err.message}`)
    session.warn(`The file broke off: ${err.message}. Everything before that point was imported.`)
  }
  // Not one author, term or item, but complaints: nothing here was an export.
  if (content === 0 && session.summary.warnings.length > 0) {
    throw new UnreadableImport(`Nothing could be imported: ${session.summary.warnings.join('; ')}`)
  }
  return session.finish()
}
