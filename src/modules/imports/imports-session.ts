import type { Db } from '../../db/client.js'
import type { Emit } from '../../db/write.js'
import type { WriteServices } from '../../plugins/writes.js'
import { sanitizePostHtml } from '../../lib/sanitize.js'
import { hashClientAddress } from '../../lib/client-address.js'
import { htmlToText, makeExcerpt } from '../../lib/text.js'
import { uniqueSlug } from '../../lib/slugify.js'
import { createCommentsWriter } from '../comments/comments-repository.js'
import { contentHash } from '../comments/comments-service.js'
import { touchPosts, type PostInput } from '../posts/posts-write-service.js'
import { createImportsRepository, type ImportedCommentRow } from './imports-repository.js'
import { clip, COMMENT_MAX, commentHtml, emailOrNull, httpUrl, importSlug, mapCommentStatus, mapCommentType, POST_BODY_MAX } from './imports-mapper.js'
import type { ImportSummary } from './imports-schemas.js'

// The database side of an import, shared by WXR and feeds: each parsed item becomes one
// transaction through the write services (so bodies are sanitized, counts derived, the change
// log and webhooks fed), matched with earlier imports by import key and terms by slug.

export interface ImportAuthor { login: string, name?: string, email?: string | null, website?: string | null }
export interface ImportTerm { slug?: string, name: string, description?: string }
export interface ImportComment {
  /** The source's comment id, unique within its post. */
  id: string
  /** The parent's source id, or null for a top-level comment. */
  parentId: string | null
  authorName: string
  authorEmail?: string | null
  authorUrl?: string | null
  /** Hashed like a native comment's address; never stored. */
  authorIp?: string | null
  date: number | null
  /** Stored HTML-ish text, as WordPress keeps it. */
  content: string
  /** wp:comment_approved: 1, 0, spam, trash. */
  approved: string
  /** wp:comment_type: '', comment, pingback, trackback. */
  type: string
}
export interface ImportPost {
  /** import_key: identity across re-imports. */
  key: string
  /** How the summary names the item. */
  ref: string
  title: string
  slug?: string
  status: 'draft' | 'scheduled' | 'published'
  publishedAt: number | null
  /** Body HTML before sanitizing (already given paragraphs and shortcodes rendered). */
  contentHtml: string
  excerpt?: string
  /** The author: a slug-like login that names a declared author, or a display name. */
  author: ImportAuthor
  categories: ImportTerm[]
  tags: ImportTerm[]
  commentStatus?: 'open' | 'closed'
  sticky?: boolean
  /** undefined: leave as is (resolved later); null: none. */
  featuredImage?: { url: string, alt: string } | null
  source?: { url: string, name: string } | null
  canonicalUrl?: string | null
  comments?: ImportComment[]
}

type Kind = 'posts' | 'categories' | 'tags' | 'authors' | 'comments'
type Outcome = 'created' | 'updated' | 'unchanged'
type Counts = Record<Kind, number>

const MAX_LISTED = 1000

function zero (): Counts {
  return { posts: 0, categories: 0, tags: 0, authors: 0, comments: 0 }
}

// Names, titles and descriptions are cut before their markup is parsed too, so a 10 MB
// title costs no more than a long one; markup rarely takes twenty times its text.
const RAW_FACTOR = 20

/** The visible text of a short HTML value (a name, a title), at most `max` characters. */
function plain (html: string, max: number): string {
  return clip(htmlToText(clip(html, max * RAW_FACTOR)), max)
}

function reasonOf (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

interface Tx {
  emit: Emit
  now: number
  count: (kind: Kind, outcome: Outcome) => void
}

export interface ImportSessionOptions {
  iframeHosts: string[]
  /** Summary `format`. */
  format: string
}

/**
 * One import run: hand it authors, terms and posts as they are parsed, then `finish()` for
 * the summary. Every call is its own transaction: a failing item is rolled back whole and
 * listed under `skipped` with the reason; the run goes on.
 */
export function createImportSession (db: Db, writes: WriteServices, opts: ImportSessionOptions) {
  const repo = createImportsRepository(db)
  const commentsWriter = createCommentsWriter(db)
  const hmacKey = repo.clientHashKey()
  const summary: ImportSummary = { format: opts.format, created: zero(), updated: zero(), unchanged: zero(), ignored: {}, skipped: [], warnings: [] }
  let droppedSkips = 0
  let droppedWarnings = 0
  // Parents of declared categories, set once all of them exist (they may come in any order).
  const parents = new Map<string, string>()
  const categoryOutcome = new Map<string, Outcome>()
  // Featured images whose attachment had not been seen when the post was imported.
  const pendingImages: Array<{ postId: number, ref: string, attachmentId: string, outcome: Outcome }> = []
  const attachments = new Map<string, { url: string, alt: string }>()
  const keysThisRun = new Set<string>()
  // Terms and authors declared twice in one file (wp:category and again as wp:term) count once.
  const declaredThisRun = new Set<string>()
  // Items whose body was cut (and said so) already.
  const clippedBodies = new Set<string>()

  function warn (message: string): void {
    if (summary.warnings.length < MAX_LISTED) summary.warnings.push(message)
    else droppedWarnings++
  }
  function skip (kind: string, ref: string, reason: string): void {
    if (summary.skipped.length < MAX_LISTED) summary.skipped.push({ kind, ref, reason })
    else droppedSkips++
  }
  function ignore (kind: string): void {
    summary.ignored[kind] = (summary.ignored[kind] ?? 0) + 1
  }
  /** A post body cut to the write API's limit, with a warning naming the item (once). */
  function clipBody (ref: string, html: string): string {
    if (html.length <= POST_BODY_MAX) return html
    if (!clippedBodies.has(ref)) {
      clippedBodies.add(ref)
      warn(`${ref}: the body has ${html.length} characters; cut to ${POST_BODY_MAX}, the most a post may have`)
    }
    return clip(html, POST_BODY_MAX)
  }

  /** Runs one item as one transaction; counts land in the summary only if it commits. */
  function item<T> (kind: string, ref: string, fn: (tx: Tx) => T): T | undefined {
    const delta: Record<Outcome, Counts> = { created: zero(), updated: zero(), unchanged: zero() }
    try {
      const result = writes.write((emit, now) => fn({ emit, now, count: (k, o) => { delta[o][k]++ } }))
      for (const o of ['created', 'updated', 'unchanged'] as const) {
        for (const k of Object.keys(delta[o]) as Kind[]) summary[o][k] += delta[o][k]
      }
      return result
    } catch (err) {
      skip(kind, ref, reasonOf(err))
      return undefined
    }
  }

  /** The transaction as seen by a declaration: counted only the first time it appears in the file. */
  function once (key: string, tx: Tx): Tx {
    if (!declaredThisRun.has(key)) {
      declaredThisRun.add(key)
      return tx
    }
    return { ...tx, count: () => {} }
  }

  function authorId (a: ImportAuthor, declared: boolean, tx: Tx): number {
    const name = plain(a.name ?? '', 200) || clip(a.login.trim(), 200) || 'Unknown author'
    const slug = importSlug(a.login, name, 'author')
    const existing = repo.authorBySlug(slug)
    if (existing === undefined) {
      const id = writes.authors.create({ name, slug, email: emailOrNull(a.email), website: httpUrl(a.website) })
      tx.count('authors', 'created')
      return id
    }
    if (declared) {
      const email = a.email === undefined ? existing.email : emailOrNull(a.email)
      const website = a.website === undefined ? existing.website : httpUrl(a.website)
      if (existing.name !== name || existing.email !== email || existing.website !== website) {
        writes.authors.update(existing.id, { name, email, website })
        tx.count('authors', 'updated')
      } else {
        tx.count('authors', 'unchanged')
      }
    }
    return existing.id
  }

  function categoryId (term: ImportTerm, declared: boolean, tx: Tx): number {
    const name = plain(term.name, 200) || clip(term.slug ?? '', 200) || 'Uncategorized'
    const slug = importSlug(term.slug, name, 'category')
    const description = term.description === undefined ? undefined : plain(term.description, 5000)
    const existing = repo.categoryBySlug(slug)
    if (existing === undefined) {
      const id = writes.categories.create({ name, slug, description })
      tx.count('categories', 'created')
      if (declared) categoryOutcome.set(slug, 'created')
      return id
    }
    if (declared) {
      const changed = existing.name !== name || (description !== undefined && existing.description !== description)
      if (changed) writes.categories.update(existing.id, { name, description })
      const outcome = changed ? 'updated' : 'unchanged'
      tx.count('categories', outcome)
      if (!categoryOutcome.has(slug)) categoryOutcome.set(slug, outcome)
    }
    return existing.id
  }

  function tagId (term: ImportTerm, declared: boolean, tx: Tx): number {
    const name = plain(term.name, 200) || clip(term.slug ?? '', 200) || 'tag'
    const slug = importSlug(term.slug, name, 'tag')
    const description = term.description === undefined ? undefined : plain(term.description, 5000)
    const existing = repo.tagBySlug(slug)
    if (existing === undefined) {
      const id = writes.tags.create({ name, slug, description })
      tx.count('tags', 'created')
      return id
    }
    if (declared) {
      const changed = existing.name !== name || (description !== undefined && existing.description !== description)
      if (changed) writes.tags.update(existing.id, { name, description })
      tx.count('tags', changed ? 'updated' : 'unchanged')
    }
    return existing.id
  }

  function clientHash (address: string | null | undefined): string | null {
    if (address === null || address === undefined || address.trim() === '') return null
    return hashClientAddress(hmacKey, address)
  }

  /** Comments of one post, parents before replies however deep; returns whether approved ones changed. */
  function importComments (postId: number, post: ImportPost, tx: Tx): boolean {
    const list = post.comments ?? []
    const dbIds = new Map<string, number>()
    let approvedChanged = false
    let pending = list
    // Parents may follow their replies in the file: take, round by round, the comments whose
    // parent is placed; what is left has a parent that is not in the file.
    for (let orphans = false; pending.length > 0;) {
      const next: ImportComment[] = []
      for (const c of pending) {
        const parentKnown = c.parentId === null || dbIds.has(c.parentId)
        if (!parentKnown && !orphans) {
          next.push(c)
          continue
        }
        if (!parentKnown) warn(`comment ${c.id} on ${post.ref} replies to comment ${c.parentId ?? ''}, which is not in the file: imported as a top-level comment`)
        const id = importComment(postId, post, c, parentKnown && c.parentId !== null ? dbIds.get(c.parentId) as number : null, tx)
        if (id !== undefined) {
          dbIds.set(c.id, id.id)
          approvedChanged ||= id.approvedChanged
        }
      }
      orphans = next.length === pending.length
      pending = next
    }
    return approvedChanged
  }

  function importComment (postId: number, post: ImportPost, c: ImportComment, parentId: number | null, tx: Tx): { id: number, approvedChanged: boolean } | undefined {
    const ref = `${post.ref} comment ${c.id}`
    const status = mapCommentStatus(c.approved)
    if (status === undefined) {
      skip('comment', ref, `unknown comment status "${c.approved}"`)
      return undefined
    }
    const type = mapCommentType(c.type)
    if (type === undefined) {
      skip('comment', ref, `comment type "${c.type}" is not a reader comment`)
      return undefined
    }
    if (c.content.length > COMMENT_MAX) warn(`${ref}: the comment has ${c.content.length} characters; cut to ${COMMENT_MAX}, the most a comment may have`)
    const html = commentHtml(clip(c.content, COMMENT_MAX))
    const text = htmlToText(html)
    if (text === '') {
      skip('comment', ref, 'no text')
      return undefined
    }
    const key = `${post.key}:${c.id}`
    const existing = repo.commentByImportKey(key)
    const fields = {
      author_name: plain(c.authorName, 200) || 'Anonymous',
      author_email: emailOrNull(c.authorEmail),
      author_url: httpUrl(c.authorUrl),
      content: text,
      content_html: html,
      status,
      type,
      // Undated comments keep the time of their first import.
      created_at: c.date ?? existing?.created_at ?? tx.now
    }
    if (existing !== undefined) {
      if (existing.post_id !== postId) {
        skip('comment', ref, `import key ${key} belongs to a comment on another post`)
        return undefined
      }
      // A comment deleted here after the last import stays deleted.
      if (existing.deleted_at !== null || sameComment(existing, fields)) {
        tx.count('comments', 'unchanged')
        return { id: existing.id, approvedChanged: false }
      }
      repo.updateComment({ id: existing.id, ...fields, content_hash: contentHash(text), updated_at: tx.now })
      commentsWriter.recount(postId)
      tx.count('comments', 'updated')
      tx.emit({ kind: 'comment', id: existing.id, postId, before: existing.status, after: status })
      return { id: existing.id, approvedChanged: existing.status === 'approved' || status === 'approved' }
    }
    try {
      const id = db.$client.transaction(() => commentsWriter.insert({
        post_id: postId,
        parent_id: parentId,
        ...fields,
        content_hash: contentHash(text),
        client_hash: clientHash(c.authorIp),
        import_key: key
      }))()
      tx.count('comments', 'created')
      tx.emit({ kind: 'comment', id, postId, before: null, after: status })
      return { id, approvedChanged: status === 'approved' }
    } catch (err) {
      skip('comment', ref, reasonOf(err))
      return undefined
    }
  }

  function sameComment (old: ImportedCommentRow, next: Omit<ImportedCommentRow, 'id' | 'post_id' | 'parent_id' | 'deleted_at'>): boolean {
    return old.author_name === next.author_name && old.author_email === next.author_email && old.author_url === next.author_url &&
      old.content === next.content && old.content_html === next.content_html && old.status === next.status &&
      old.type === next.type && old.created_at === next.created_at
  }

  function sameIds (a: number[], b: number[]): boolean {
    return a.length === b.length && a.every((v, i) => v === b[i])
  }

  /** Sets the parents of the declared categories (idempotent; call once they all exist). */
  function linkCategories (): void {
    for (const [slug, parentSlug] of parents) {
      const child = repo.categoryBySlug(slug)
      if (child === undefined) continue
      let parentId: number | null = null
      if (parentSlug !== '') {
        const parent = repo.categoryBySlug(parentSlug)
        if (parent === undefined) {
          warn(`category ${slug} names parent ${parentSlug}, which is not in the file: left at the top level`)
          continue
        }
        parentId = parent.id
      }
      if (child.parent_id === parentId) continue
      const before = categoryOutcome.get(slug)
      item('category', slug, (tx) => {
        writes.categories.update(child.id, { parent_id: parentId })
        if (before === 'unchanged') {
          summary.unchanged.categories--
          tx.count('categories', 'updated')
          categoryOutcome.set(slug, 'updated')
        } else if (before === undefined) {
          tx.count('categories', 'updated')
        }
      })
    }
    parents.clear()
  }

  return {
    summary,
    warn,
    skip,
    ignore,
    clipBody,

    /** A declared author (wp:author, or a feed's own author). */
    author (a: ImportAuthor): void {
      item('author', a.login, (tx) => authorId(a, true, once(`author:${a.login}`, tx)))
    },

    /** A declared category; its parent (a slug) is set by `linkCategories`, once all exist. */
    category (term: ImportTerm & { parent?: string }): void {
      const id = item('category', term.slug ?? term.name, (tx) => categoryId(term, true, once(`category:${term.slug ?? term.name}`, tx)))
      if (id === undefined) return
      const slug = importSlug(term.slug, plain(term.name, 200) || clip(term.slug ?? '', 200) || 'Uncategorized', 'category')
      const parent = term.parent?.trim() ? importSlug(term.parent, term.parent, 'category') : ''
      parents.set(slug, parent)
    },

    tag (term: ImportTerm): void {
      item('tag', term.slug ?? term.name, (tx) => tagId(term, true, once(`tag:${term.slug ?? term.name}`, tx)))
    },

    linkCategories,

    /** An attachment: only its URL is kept, for the featured images of posts. */
    attachment (id: string, image: { url: string, alt: string }): void {
      ignore('attachment')
      if (httpUrl(image.url) !== null) attachments.set(id, { url: image.url, alt: image.alt })
    },

    /** One post with its terms, author and comments, as one transaction. */
    post (p: ImportPost & { thumbnailId?: string }): void {
      if (keysThisRun.has(p.key)) {
        skip('post', p.ref, `a second item with import key ${p.key} in the same file`)
        return
      }
      keysThisRun.add(p.key)
      const body = clipBody(p.ref, p.contentHtml)
      let featured = p.featuredImage
      let waitFor: string | undefined
      if (p.thumbnailId !== undefined) {
        const found = attachments.get(p.thumbnailId)
        if (found !== undefined) featured = found
        else waitFor = p.thumbnailId
      }
      const result = item('post', p.ref, (tx) => {
        const authorIdValue = authorId(p.author, false, tx)
        const categoryIds = [...new Set(p.categories.map((c) => categoryId(c, false, tx)))]
        const tagIds = [...new Set(p.tags.map((t) => tagId(t, false, tx)))]
        const title = plain(p.title, 300) || '(untitled)'
        const existing = repo.postByImportKey(p.key)
        const candidate = importSlug(p.slug, title, 'post')
        const input: PostInput = {
          title,
          excerpt: p.excerpt?.trim() ? plain(p.excerpt, 2000) || null : null,
          content_html: body,
          status: p.status,
          published_at: p.publishedAt === null ? null : new Date(p.publishedAt).toISOString(),
          author_id: authorIdValue,
          category_ids: categoryIds,
          tag_ids: tagIds,
          comment_status: p.commentStatus ?? 'open',
          sticky: p.sticky ?? false,
          import_key: p.key
        }
        if (featured !== undefined) input.featured_image = featured
        if (p.source !== undefined) input.source = p.source
        if (p.canonicalUrl !== undefined) input.canonical_url = p.canonicalUrl
        // A scheduled post whose time has come is simply published.
        if (input.status === 'scheduled' && (p.publishedAt === null || p.publishedAt <= tx.now)) input.status = 'published'
        let postId: number
        let outcome: Outcome
        if (existing === undefined) {
          input.slug = uniqueSlug(candidate, (s) => repo.postSlugTaken(s, null))
          postId = writes.posts.create(input as PostInput & { title: string, author_id: number })
          outcome = 'created'
        } else {
          postId = existing.id
          // Keep an earlier slug when the file's slug is taken by another post: renaming to
          // slug-2 on every run would break links.
          if (existing.slug !== candidate && !repo.postSlugTaken(candidate, existing.id)) input.slug = candidate
          const content = sanitizePostHtml(body, { iframeHosts: opts.iframeHosts })
          const excerpt = input.excerpt ?? makeExcerpt(content)
          const publishedAt = p.publishedAt ?? (input.status === 'published' && existing.status === 'published' ? existing.published_at : null)
          const stored = input.status === 'scheduled' ? 'published' : input.status
          const same = existing.title === title && (input.slug === undefined || input.slug === existing.slug) &&
            existing.content_html === content && existing.excerpt === excerpt && existing.status === stored &&
            existing.published_at === publishedAt && existing.author_id === authorIdValue &&
            sameIds(repo.categoryIdsOf(postId), categoryIds) && sameIds(repo.tagIdsOf(postId), tagIds) &&
            existing.comment_status === input.comment_status && Boolean(existing.sticky) === input.sticky &&
            (featured === undefined || (existing.featured_image_url === (featured?.url ?? null) && (featured === null || existing.featured_image_alt === featured.alt))) &&
            (p.source === undefined || (existing.source_url === (p.source?.url ?? null) && existing.source_name === (p.source?.name ?? null))) &&
            (p.canonicalUrl === undefined || existing.canonical_url === p.canonicalUrl)
          if (same) {
            outcome = 'unchanged'
          } else {
            if (p.publishedAt === null && input.status === 'published') delete input.published_at
            writes.posts.update(postId, input)
            outcome = 'updated'
          }
        }
        tx.count('posts', outcome)
        const approvedChanged = importComments(postId, p, tx)
        if (approvedChanged && outcome === 'unchanged') touchPosts(db, tx.emit, [postId])
        return { postId, outcome }
      })
      if (result !== undefined && waitFor !== undefined) {
        pendingImages.push({ postId: result.postId, ref: p.ref, attachmentId: waitFor, outcome: result.outcome })
      }
    },

    /** Resolves what had to wait for the end of the file and returns the summary. */
    finish (): ImportSummary {
      linkCategories()
      for (const pending of pendingImages) {
        const image = attachments.get(pending.attachmentId) ?? null
        if (image === null) warn(`${pending.ref}: featured image (attachment ${pending.attachmentId}) is not in the file`)
        item('post', pending.ref, (tx) => {
          const row = repo.featuredImageOf(pending.postId)
          if (row === undefined) return
          if (row.featured_image_url === (image?.url ?? null) && (image === null || row.featured_image_alt === image.alt)) return
          writes.posts.update(pending.postId, { featured_image: image })
          if (pending.outcome === 'unchanged') {
            summary.unchanged.posts--
            tx.count('posts', 'updated')
          }
        })
      }
      pendingImages.length = 0
      if (droppedSkips > 0) summary.warnings.push(`${droppedSkips} more skipped items are not listed`)
      if (droppedWarnings > 0) summary.warnings.push(`${droppedWarnings} more warnings are not listed`)
      return summary
    }
  }
}
export type ImportSession = ReturnType<typeof createImportSession>
