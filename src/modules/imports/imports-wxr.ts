import type { Readable } from 'node:stream'
import { UnreadableImport } from '../../errors.js'
import { readWxr, WxrError, type WxrEvent } from '../../lib/wxr.js'
import { renderShortcodes, wpautop } from '../../lib/wpautop.js'
import { createImportSession, type ImportComment, type ImportSession, type ImportTarget } from './imports-session.js'
import { mapPostStatus } from './imports-values.js'
import type { ImportSummary } from './imports-schemas.js'

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

function importPost (session: ImportSession, item: WxrItem, siteUrl: string, now: number, guids: Set<string>): void {
  const ref = `wp:${item.wpId}`
  if (item.postType === 'attachment') {
    session.attachment(String(item.wpId), { url: item.attachmentUrl ?? item.guid ?? '', alt: meta(item, '_wp_attachment_image_alt') ?? '' })
    return
  }
  if (item.postType !== 'post') {
    session.ignore(item.postType)
    return
  }
  const publishedAt = UNDATED.has(item.wpStatus) ? null : (item.postDate?.getTime() ?? null)
  const mapped = mapPostStatus(item.wpStatus || 'draft', publishedAt, now)
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
    type: c.type
  }))
  // Hand-edited exports sometimes give two posts one guid: the second is keyed by its id.
  let key = `wxr:${siteUrl}#${item.wpId}`
  if (item.guid !== null && !guids.has(item.guid)) {
    guids.add(item.guid)
    key = `wxr:${item.guid}`
  } else if (item.guid !== null) {
    session.warn(`${ref} has the same guid as an earlier item (${item.guid}): keyed by its WordPress id instead`)
  }
  // A password-protected post has no public form here: it arrives as a draft for an editor.
  const status = item.password !== null && mapped.status !== 'draft' ? 'draft' : mapped.status
  if (status !== mapped.status) session.warn(`${ref} is password-protected in WordPress: imported as a draft`)
  session.post({
    key,
    ref,
    title: item.title,
    slug: item.slug ?? undefined,
    status,
    publishedAt,
    // Cut before formatting, so no body costs more than the longest a post may have.
    contentHtml: renderShortcodes(wpautop(session.clipBody(ref, item.contentRaw))),
    excerpt: item.excerptRaw,
    author: { login: item.creator ?? '', name: item.creator ?? '' },
    categories: item.categories,
    tags: item.tags,
    commentStatus: item.commentStatus,
    sticky: item.sticky,
    featuredImage: item.thumbnailId === null ? null : undefined,
    thumbnailId: item.thumbnailId === null ? undefined : String(item.thumbnailId),
    comments
  })
}

/**
 * Streams a WordPress export into the database. Authors and terms are written as they come;
 * category parents are linked once every declared category exists (before the first item,
 * and again at the end); featured images whose attachment comes later are set at the end.
 * A file that breaks part-way keeps what came before and says where it broke; a body
 * that is not an export at all is a 422.
 */
export async function importWxrStream (target: ImportTarget, source: Readable | AsyncIterable<Buffer | string>, opts: { iframeHosts: string[], step?: ImportStep }): Promise<ImportSummary> {
  const session = createImportSession(target, { iframeHosts: opts.iframeHosts, format: 'wxr' })
  let siteUrl = ''
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
          siteUrl = event.link ?? ''
          break
        case 'author':
          session.author({
            login: event.author.login,
            name: event.author.displayName || [event.author.firstName, event.author.lastName].filter(Boolean).join(' ') || event.author.login,
            email: event.author.email
          })
          break
        case 'category':
          session.category({ slug: event.term.slug, name: event.term.name, description: event.term.description ?? undefined, parent: event.term.parentSlug ?? '' })
          break
        case 'tag':
          session.tag({ slug: event.term.slug, name: event.term.name, description: event.term.description ?? undefined })
          break
        case 'item':
          if (!linked) {
            session.linkCategories()
            linked = true
          }
          importPost(session, event.item, siteUrl, now, guids)
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
