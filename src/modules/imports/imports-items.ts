import type { ImportSeo } from './imports-seo.js'

// What the readers (imports-wxr.ts, imports-feed.ts) hand an import session: authors, terms
// and posts with their comments, already in Broadsheet's terms but not yet checked or cut.

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
  /** `content` is HTML already (our own export), not WordPress's text to be given paragraphs. */
  formatted?: boolean
  /** The comment's text as its author typed it, when the file keeps it (our own export). */
  text?: string
}
export interface ImportPost {
  /** import_key: identity across re-imports. */
  key: string
  /**
   * Keys an earlier version of the importer may have given the same item: a post found under
   * one of them is re-keyed to `key` instead of being created again.
   */
  legacyKeys?: string[]
  /** How the summary names the item. */
  ref: string
  title: string
  slug?: string
  status: 'draft' | 'scheduled' | 'published' | 'archived'
  publishedAt: number | null
  /** Body HTML before sanitizing (already given paragraphs and shortcodes rendered). */
  contentHtml: string
  excerpt?: string
  /** The author: a slug-like login that names a declared author, or a display name. */
  author: ImportAuthor
  /** The whole byline when the file names one (Co-Authors Plus): it replaces `author`, the first is the primary author. */
  byline?: ImportAuthor[]
  categories: ImportTerm[]
  tags: ImportTerm[]
  commentStatus?: 'open' | 'closed'
  sticky?: boolean
  /** undefined: leave as is (resolved later); null: none. */
  featuredImage?: { url: string, alt: string } | null
  source?: { url: string, name: string } | null
  canonicalUrl?: string | null
  comments?: ImportComment[]
  /** The post's address on the old site, for the redirect map; undefined leaves it as it is. */
  legacyUrl?: string | null
  /** What the reader itself left out of the body (shortcodes, embeds it could not frame), for the summary. */
  lost?: Array<{ what: string, n: number }>
  /** A feed subscription's settings: the author to credit instead of `author`, and terms added to the named ones (ids that exist). */
  authorId?: number
  categoryIds?: number[]
  tagIds?: number[]
  /** A post that exists is changed only while it is still a draft (an editor's published copy is left alone). */
  updateOnlyDrafts?: boolean
  /** The id other items of the file name it by (menu items); remembered for the run. */
  sourceId?: string
  /** SEO fields from the file (Yoast SEO, Rank Math); absent fields are left as they are. */
  seo?: ImportSeo
}
