import type { StoredNavigation, StoredNavItem } from '../../db/schema.js'
import { seoFieldsOf, type SeoFields } from '../../lib/seo.js'
import type { ExportRepository } from './export-repository.js'

// The whole site as a WordPress eXtended RSS 1.2 file, the format of WordPress → Tools → Export,
// written a post at a time. WordPress's importer reads it (authors, the category tree, tags,
// posts with their comment threads, pages with their tree, featured images as attachments, SEO
// fields as Yoast SEO's post meta, co-authors as Co-Authors Plus terms); our own importer reads
// it back and, seeing our generator, also takes what WordPress has no field for from post
// meta: `_broadsheet_status` (archived posts are `private` in WordPress), `_broadsheet_source_url`,
// `_broadsheet_source_name`, `_broadsheet_canonical_url`, and each comment's typed text
// (`_broadsheet_text`). Bodies are our sanitized HTML, as WordPress stores block-less posts.

/** What the importer recognises as our own export (imports-wxr.ts BROADSHEET_GENERATOR). */
export const GENERATOR = 'https://broadsheet.dev/?v=1'

// The featured image of post N is attachment ATTACHMENT_IDS + N: ids of their own, apart from every post's.
const ATTACHMENT_IDS = 1_000_000_000_000
// Page N is item PAGE_IDS + N: WordPress has one id space for posts and pages, we have two.
const PAGE_IDS = 2_000_000_000_000
// Menu items are numbered from NAV_IDS, their menus (nav_menu terms) from NAV_TERM_IDS.
const NAV_IDS = 3_000_000_000_000
const NAV_TERM_IDS = 3_000_000_000_000
const MENUS = [['primary', 'Primary'], ['secondary', 'Secondary']] as const

// SEO fields as Yoast SEO keeps them (post meta), which our importer and WordPress with Yoast read.
const YOAST = {
  meta_title: '_yoast_wpseo_title',
  meta_description: '_yoast_wpseo_metadesc',
  og_title: '_yoast_wpseo_opengraph-title',
  og_description: '_yoast_wpseo_opengraph-description',
  og_image: '_yoast_wpseo_opengraph-image',
  twitter_title: '_yoast_wpseo_twitter-title',
  twitter_description: '_yoast_wpseo_twitter-description',
  twitter_image: '_yoast_wpseo_twitter-image'
} as const

/** Posts read per query. */
const BATCH = 100

// Characters XML 1.0 does not allow anywhere, even in CDATA.
// eslint-disable-next-line no-control-regex -- these are exactly the characters to remove
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

function clean (s: string): string {
  return s.replace(NOT_XML, '')
}

/** Text as CDATA; `]]>` inside is split across two sections. */
function cdata (s: string | null | undefined): string {
  return `<![CDATA[${clean(s ?? '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
}

/** Text as escaped character data (for attributes and short fields). */
function esc (s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * Plain text as WordPress keeps titles and term names: HTML (it shows them unescaped), so
 * `<`, `>` and `&` are written as entities, which every importer decodes.
 */
function asHtml (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** WordPress's "2024-06-03 09:00:00" in UTC (WXR keeps times to the second); "0000-00-00 00:00:00" for no date. */
function wpDate (ms: number | null): string {
  if (ms === null) return '0000-00-00 00:00:00'
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

function meta (key: string, value: string): string {
  return `\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>${cdata(key)}</wp:meta_key>\n\t\t\t<wp:meta_value>${cdata(value)}</wp:meta_value>\n\t\t</wp:postmeta>\n`
}

/** The SEO fields set (null ones are the fallback: not written), as Yoast SEO post meta. */
function seoMeta (fields: SeoFields, canonical: string | null): string {
  let out = ''
  for (const [field, key] of Object.entries(YOAST) as Array<[keyof typeof YOAST, string]>) {
    const value = fields[field]
    // Texts as WordPress keeps them (HTML, like titles); image addresses as they are.
    if (value !== null) out += meta(key, field.endsWith('_image') ? value : asHtml(value))
  }
  if (canonical !== null) out += meta('_yoast_wpseo_canonical', canonical)
  if (fields.noindex) out += meta('_yoast_wpseo_meta-robots-noindex', '1')
  return out
}

/** WordPress's status of a post or page: a published one dated in the future is `future`. */
function wpStatusOf (status: string, publishedAt: number | null, now: number): string {
  if (status === 'archived') return 'private'
  if (status === 'draft') return 'draft'
  return status === 'scheduled' || (publishedAt !== null && publishedAt > now) ? 'future' : 'publish'
}

/** The attachment item of a featured image. */
function attachment (id: number, parentId: number, image: { url: string, alt: string | null }, title: string, slug: string, createdAt: number): string {
  return '\t<item>\n' +
    `\t\t<title>${cdata(image.alt || title)}</title>\n` +
    `\t\t<guid isPermaLink="false">${esc(image.url)}</guid>\n` +
    `\t\t<wp:post_id>${id}</wp:post_id>\n` +
    `\t\t<wp:post_date_gmt>${cdata(wpDate(createdAt))}</wp:post_date_gmt>\n` +
    `\t\t<wp:post_name>${cdata(`${slug}-image`)}</wp:post_name>\n` +
    '\t\t<wp:status><![CDATA[inherit]]></wp:status>\n' +
    `\t\t<wp:post_parent>${parentId}</wp:post_parent>\n` +
    '\t\t<wp:post_type><![CDATA[attachment]]></wp:post_type>\n' +
    `\t\t<wp:attachment_url>${cdata(image.url)}</wp:attachment_url>\n` +
    meta('_wp_attachment_image_alt', image.alt ?? '') +
    '\t</item>\n'
}

/** What a stored menu item points at, as WordPress's menu item meta names it. */
function menuTarget (it: StoredNavItem, ownId: number): { type: string, object: string, objectId: number, url: string } {
  if (it.page_id !== undefined) return { type: 'post_type', object: 'page', objectId: PAGE_IDS + it.page_id, url: '' }
  if (it.post_id !== undefined) return { type: 'post_type', object: 'post', objectId: it.post_id, url: '' }
  if (it.category_id !== undefined) return { type: 'taxonomy', object: 'category', objectId: it.category_id, url: '' }
  if (it.tag_id !== undefined) return { type: 'taxonomy', object: 'post_tag', objectId: it.tag_id, url: '' }
  return { type: 'custom', object: 'custom', objectId: ownId, url: it.url ?? '' }
}

/**
 * The site's two menus as WordPress nav menus: a nav_menu term each (named Primary and
 * Secondary, which is how our importer puts them back in their places) and a nav_menu_item per
 * item, its parent and target in post meta; items in the menu's order.
 */
function navigationItems (navigation: StoredNavigation, now: number): { terms: string, items: string } {
  let terms = ''
  let items = ''
  let next = NAV_IDS
  MENUS.forEach(([slot, name], i) => {
    const menu = navigation[slot]
    if (menu.length === 0) return
    terms += `\t<wp:term><wp:term_id>${NAV_TERM_IDS + i}</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy><wp:term_slug>${cdata(slot)}</wp:term_slug><wp:term_name>${cdata(name)}</wp:term_name></wp:term>\n`
    let order = 0
    const walk = (list: StoredNavItem[], parent: number): void => {
      for (const it of list) {
        const id = ++next
        const target = menuTarget(it, id)
        items += '\t<item>\n' +
          `\t\t<title>${cdata(asHtml(it.label))}</title>\n` +
          `\t\t<guid isPermaLink="false">nav-menu-item-${id}</guid>\n` +
          `\t\t<wp:post_id>${id}</wp:post_id>\n` +
          `\t\t<wp:post_date_gmt>${cdata(wpDate(now))}</wp:post_date_gmt>\n` +
          `\t\t<wp:post_name>${cdata(String(id))}</wp:post_name>\n` +
          '\t\t<wp:status><![CDATA[publish]]></wp:status>\n' +
          `\t\t<wp:menu_order>${++order}</wp:menu_order>\n` +
          '\t\t<wp:post_type><![CDATA[nav_menu_item]]></wp:post_type>\n' +
          `\t\t<category domain="nav_menu" nicename="${slot}">${cdata(name)}</category>\n` +
          meta('_menu_item_type', target.type) +
          meta('_menu_item_menu_item_parent', String(parent)) +
          meta('_menu_item_object_id', String(target.objectId)) +
          meta('_menu_item_object', target.object) +
          meta('_menu_item_target', '') +
          meta('_menu_item_classes', 'a:1:{i:0;s:0:"";}') +
          meta('_menu_item_xfn', '') +
          meta('_menu_item_url', target.url) +
          '\t</item>\n'
        walk(it.children ?? [], id)
      }
    }
    walk(menu, 0)
  })
  return { terms, items }
}

const COMMENT_APPROVED = { approved: '1', pending: '0', spam: 'spam', trash: 'trash' } as const

export interface ExportOptions {
  /** SITE_URL: the channel's link and the base of the guids of posts that have none of their own. */
  siteUrl: string
  now: number
}

/** The file name WordPress would give the export: `<site>.wordpress.<date>.xml`. */
export function exportFileName (title: string, now: number): string {
  const name = title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'broadsheet'
  return `${name}.wordpress.${new Date(now).toISOString().slice(0, 10)}.xml`
}

/**
 * The export, a piece at a time: the channel with the site, authors and terms, then each post
 * (and the attachment of its featured image). Reads the database between pieces, so it is not
 * one snapshot: a post written meanwhile may or may not be in it, never twice.
 */
export async function * writeWxr (repo: ExportRepository, opts: ExportOptions): AsyncGenerator<string> {
  const site = await repo.site()
  const base = opts.siteUrl.replace(/\/+$/, '')
  yield '<?xml version="1.0" encoding="UTF-8" ?>\n' +
    '<!-- A WordPress eXtended RSS (WXR) 1.2 file written by Broadsheet: import it with WordPress → Tools → Import → WordPress, or POST /v1/imports/wxr. -->\n' +
    '<rss version="2.0"\n\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n' +
    '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n\txmlns:dc="http://purl.org/dc/elements/1.1/"\n\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n<channel>\n' +
    `\t<title>${esc(site?.title ?? '')}</title>\n\t<link>${esc(base)}</link>\n\t<description>${esc(site?.description ?? '')}</description>\n` +
    `\t<pubDate>${new Date(opts.now).toUTCString().replace('GMT', '+0000')}</pubDate>\n\t<language>${esc(site?.language ?? 'en')}</language>\n` +
    `\t<generator>${GENERATOR}</generator>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n\t<wp:base_site_url>${esc(base)}</wp:base_site_url>\n\t<wp:base_blog_url>${esc(base)}</wp:base_blog_url>\n\n`

  const authorSlugs = new Map<number, string>()
  let out = ''
  for (const a of await repo.authors()) {
    authorSlugs.set(a.id, a.slug)
    out += `\t<wp:author><wp:author_id>${a.id}</wp:author_id><wp:author_login>${cdata(a.slug)}</wp:author_login>` +
      `<wp:author_email>${cdata(a.email)}</wp:author_email><wp:author_display_name>${cdata(a.name)}</wp:author_display_name>` +
      '<wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>\n'
  }
  const cats = await repo.categories()
  const catSlugs = new Map(cats.map((c) => [c.id, c.slug]))
  for (const c of cats) {
    out += `\t<wp:category><wp:term_id>${c.id}</wp:term_id><wp:category_nicename>${cdata(c.slug)}</wp:category_nicename>` +
      `<wp:category_parent>${cdata(c.parentId === null ? '' : catSlugs.get(c.parentId) ?? '')}</wp:category_parent>` +
      `<wp:cat_name>${cdata(asHtml(c.name))}</wp:cat_name><wp:category_description>${cdata(c.description)}</wp:category_description></wp:category>\n`
  }
  for (const tag of await repo.tags()) {
    out += `\t<wp:tag><wp:term_id>${tag.id}</wp:term_id><wp:tag_slug>${cdata(tag.slug)}</wp:tag_slug>` +
      `<wp:tag_name>${cdata(asHtml(tag.name))}</wp:tag_name><wp:tag_description>${cdata(tag.description)}</wp:tag_description></wp:tag>\n`
  }
  const navigation = navigationItems(site?.navigation ?? { primary: [], secondary: [] }, opts.now)
  out += navigation.terms
  yield out + '\n'

  let after = 0
  for (;;) {
    const batch = await repo.postsAfter(after, BATCH)
    if (batch.length === 0) break
    for (const post of batch) {
      after = post.id
      const wpStatus = wpStatusOf(post.status, post.publishedAt, opts.now)
      // A draft may keep a date (one unpublished, say): written, and read back by our importer.
      const dated = post.publishedAt
      const guid = post.importKey?.startsWith('wxr:') === true && !post.importKey.includes('#') ? post.importKey.slice(4) : `${base}/?p=${post.id}`
      // A post's own rows, asked for together (on PostgreSQL: over the pool's connections at once).
      const [legacy, postCategories, postTags, byline, seo, comments] = await Promise.all([
        repo.legacyUrlOf(post.id), repo.categoriesOf(post.id), repo.tagsOf(post.id), repo.authorsOf(post.id), repo.seoOf(post.id), repo.commentsOf(post.id)
      ])
      const thumbnail = post.featuredImageUrl === null ? null : ATTACHMENT_IDS + post.id
      let item = '\t<item>\n' +
        `\t\t<title>${cdata(asHtml(post.title))}</title>\n` +
        (legacy === null ? '' : `\t\t<link>${esc(legacy)}</link>\n`) +
        (dated === null ? '' : `\t\t<pubDate>${new Date(dated).toUTCString().replace('GMT', '+0000')}</pubDate>\n`) +
        `\t\t<dc:creator>${cdata(authorSlugs.get(post.authorId) ?? '')}</dc:creator>\n` +
        `\t\t<guid isPermaLink="false">${esc(guid)}</guid>\n\t\t<description></description>\n` +
        `\t\t<content:encoded>${cdata(post.contentHtml)}</content:encoded>\n` +
        `\t\t<excerpt:encoded>${cdata(post.excerpt)}</excerpt:encoded>\n` +
        `\t\t<wp:post_id>${post.id}</wp:post_id>\n` +
        `\t\t<wp:post_date>${cdata(wpDate(dated))}</wp:post_date>\n` +
        `\t\t<wp:post_date_gmt>${cdata(wpDate(dated))}</wp:post_date_gmt>\n` +
        `\t\t<wp:post_modified>${cdata(wpDate(post.updatedAt))}</wp:post_modified>\n` +
        `\t\t<wp:post_modified_gmt>${cdata(wpDate(post.updatedAt))}</wp:post_modified_gmt>\n` +
        `\t\t<wp:comment_status>${cdata(post.commentStatus)}</wp:comment_status>\n` +
        '\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n' +
        `\t\t<wp:post_name>${cdata(post.slug)}</wp:post_name>\n` +
        `\t\t<wp:status>${cdata(wpStatus)}</wp:status>\n` +
        '\t\t<wp:post_parent>0</wp:post_parent>\n\t\t<wp:menu_order>0</wp:menu_order>\n' +
        '\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n' +
        `\t\t<wp:is_sticky>${post.featured ? 1 : 0}</wp:is_sticky>\n`
      for (const c of postCategories) item += `\t\t<category domain="category" nicename="${esc(c.slug)}">${cdata(asHtml(c.name))}</category>\n`
      for (const tag of postTags) item += `\t\t<category domain="post_tag" nicename="${esc(tag.slug)}">${cdata(asHtml(tag.name))}</category>\n`
      // Co-authors as Co-Authors Plus writes them (its "author" taxonomy, terms named by login,
      // slugs prefixed cap-), in byline order; WordPress without the plugin ignores them.
      if (byline.length > 1) for (const a of byline) item += `\t\t<category domain="author" nicename="cap-${esc(a.slug)}">${cdata(a.slug)}</category>\n`
      if (thumbnail !== null) item += meta('_thumbnail_id', String(thumbnail))
      if (post.status === 'archived') item += meta('_broadsheet_status', 'archived')
      if (post.sourceUrl !== null) item += meta('_broadsheet_source_url', post.sourceUrl) + meta('_broadsheet_source_name', post.sourceName ?? '')
      if (post.canonicalUrl !== null) item += meta('_broadsheet_canonical_url', post.canonicalUrl)
      if (seo !== undefined) item += seoMeta(seoFieldsOf(seo), null)
      for (const c of comments) {
        // A deleted comment kept for its replies is in the trash, as WordPress would have it.
        const status = c.deletedAt === null ? COMMENT_APPROVED[c.status] : 'trash'
        item += '\t\t<wp:comment>\n' +
          `\t\t\t<wp:comment_id>${c.id}</wp:comment_id>\n` +
          `\t\t\t<wp:comment_author>${cdata(c.authorName)}</wp:comment_author>\n` +
          `\t\t\t<wp:comment_author_email>${cdata(c.authorEmail)}</wp:comment_author_email>\n` +
          `\t\t\t<wp:comment_author_url>${cdata(c.authorUrl)}</wp:comment_author_url>\n` +
          '\t\t\t<wp:comment_author_IP><![CDATA[]]></wp:comment_author_IP>\n' +
          `\t\t\t<wp:comment_date>${cdata(wpDate(c.createdAt))}</wp:comment_date>\n` +
          `\t\t\t<wp:comment_date_gmt>${cdata(wpDate(c.createdAt))}</wp:comment_date_gmt>\n` +
          `\t\t\t<wp:comment_content>${cdata(c.contentHtml)}</wp:comment_content>\n` +
          `\t\t\t<wp:comment_approved>${cdata(status)}</wp:comment_approved>\n` +
          `\t\t\t<wp:comment_type>${cdata(c.type === 'comment' ? '' : c.type)}</wp:comment_type>\n` +
          `\t\t\t<wp:comment_parent>${c.parentId ?? 0}</wp:comment_parent>\n` +
          '\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n' +
          `\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>${cdata('_broadsheet_text')}</wp:meta_key>\n\t\t\t\t<wp:meta_value>${cdata(c.content)}</wp:meta_value>\n\t\t\t</wp:commentmeta>\n` +
          '\t\t</wp:comment>\n'
      }
      item += '\t</item>\n'
      if (thumbnail !== null) item += attachment(thumbnail, post.id, { url: post.featuredImageUrl ?? '', alt: post.featuredImageAlt }, post.title, post.slug, post.createdAt)
      yield item
    }
  }

  // Pages after posts: a page's parent is named by its item id, in whatever order they come.
  after = 0
  for (;;) {
    const batch = await repo.pagesAfter(after, BATCH)
    if (batch.length === 0) break
    for (const page of batch) {
      after = page.id
      const id = PAGE_IDS + page.id
      const guid = page.importKey?.startsWith('wxr:') === true && !page.importKey.includes('#') ? page.importKey.slice(4) : `${base}/?page_id=${page.id}`
      const thumbnail = page.featuredImageUrl === null ? null : ATTACHMENT_IDS + id
      let item = '\t<item>\n' +
        `\t\t<title>${cdata(asHtml(page.title))}</title>\n` +
        (page.publishedAt === null ? '' : `\t\t<pubDate>${new Date(page.publishedAt).toUTCString().replace('GMT', '+0000')}</pubDate>\n`) +
        `\t\t<guid isPermaLink="false">${esc(guid)}</guid>\n\t\t<description></description>\n` +
        `\t\t<content:encoded>${cdata(page.contentHtml)}</content:encoded>\n` +
        `\t\t<excerpt:encoded>${cdata(page.excerpt)}</excerpt:encoded>\n` +
        `\t\t<wp:post_id>${id}</wp:post_id>\n` +
        `\t\t<wp:post_date>${cdata(wpDate(page.publishedAt))}</wp:post_date>\n` +
        `\t\t<wp:post_date_gmt>${cdata(wpDate(page.publishedAt))}</wp:post_date_gmt>\n` +
        `\t\t<wp:post_modified>${cdata(wpDate(page.updatedAt))}</wp:post_modified>\n` +
        `\t\t<wp:post_modified_gmt>${cdata(wpDate(page.updatedAt))}</wp:post_modified_gmt>\n` +
        '\t\t<wp:comment_status><![CDATA[closed]]></wp:comment_status>\n\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n' +
        `\t\t<wp:post_name>${cdata(page.slug)}</wp:post_name>\n` +
        `\t\t<wp:status>${cdata(wpStatusOf(page.status, page.publishedAt, opts.now))}</wp:status>\n` +
        `\t\t<wp:post_parent>${page.parentId === null ? 0 : PAGE_IDS + page.parentId}</wp:post_parent>\n` +
        `\t\t<wp:menu_order>${page.menuOrder}</wp:menu_order>\n` +
        '\t\t<wp:post_type><![CDATA[page]]></wp:post_type>\n\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n' +
        '\t\t<wp:is_sticky>0</wp:is_sticky>\n'
      if (thumbnail !== null) item += meta('_thumbnail_id', String(thumbnail))
      item += seoMeta(seoFieldsOf(page), page.canonicalUrl)
      item += '\t</item>\n'
      if (thumbnail !== null) item += attachment(thumbnail, id, { url: page.featuredImageUrl ?? '', alt: page.featuredImageAlt }, page.title, page.slug, page.createdAt)
      yield item
    }
  }
  // Menus last: their items name pages, posts and terms written above.
  if (navigation.items !== '') yield navigation.items
  yield '</channel>\n</rss>\n'
}
