import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import type { authors, categories, postAuthors, postCategories, posts, postTags, tags } from '../../db/schema.js'
import type { TermKind as TermKindName } from '../../db/term-visibility.js'
import type { PathStep } from '../../lib/tree-path.js'

// Categories, tags and authors are one resource, a term: a named, slugged thing posts are
// filed under. This folder writes it once (reads by id or slug, the public-visibility rule,
// live counts, pagination, slug rules, reassign-on-delete); a TermKind says what differs, and
// each kind's module (modules/categories, tags, authors) declares one.

export type TermTable = typeof categories | typeof tags | typeof authors
export type LinkTable = typeof postCategories | typeof postTags | typeof posts
type LinkColumn = typeof postCategories.categoryId | typeof postCategories.postId | typeof postTags.tagId | typeof postTags.postId | typeof posts.authorId | typeof posts.id

/** The fields every create or update body may carry; each kind adds its own. */
export interface TermInput { name?: string, slug?: string, /** Trees: the parent, by id or slug. */ parent_id?: number | string | null }

/** What one kind of term is made of, beyond what every term has (id, slug, name, times). */
export interface TermKind<T extends TermTable = TermTable, L extends LinkTable = LinkTable, Input extends TermInput = TermInput, Fields extends object = object> {
  /** The change-log resource, the visibility kind, the slug fallback and the word in messages. */
  name: TermKindName
  /** The plural: the live-count key, the plugin name and the word in list docs. */
  plural: 'categories' | 'tags' | 'authors'
  /** The name in problem details: `Category "x" not found`. */
  label: string
  table: T
  /** How posts are filed under a term of this kind. */
  link: {
    table: L
    termId: LinkColumn
    postId: LinkColumn
    /** Several terms of this kind per post (a link table), or one (a column of posts). */
    many: boolean
    /** The columns that file a post under term `to` (reassign-on-delete). */
    fileUnder (to: number): SQLiteUpdateSetSource<L>
    /**
     * Where the posts that show a term are found, when more than those filed under it (an
     * author's co-authored posts: post_authors); they are touched when the term changes.
     */
    shownBy?: { table: typeof postAuthors, termId: typeof postAuthors.authorId, postId: typeof postAuthors.postId }
  }
  /**
   * Terms nest through parent_id (categories): a cycle is a 422, a deleted term's children move
   * up to its parent, lists can take one level (`?parent=`) and post filters the whole subtree.
   */
  tree: boolean
  /** The kind's own columns from a create or update body; undefined leaves a column as it is (or to its default). */
  columns (input: Input): Partial<T['$inferInsert']>
  /** The kind's own API fields, in the order of its schema (between `name` and `post_count`). */
  fields (row: T['$inferSelect']): Fields
  /**
   * What posts show of the term (TermRef, CategoryRef, AuthorRef): when it changes, those posts are
   * re-announced (in a tree, the posts of the whole subtree: their paths show the term).
   */
  shownOnPosts (row: T['$inferSelect']): unknown[]
}

/** Any kind, for code written once for all three. */
export type AnyTermKind = TermKind<TermTable, LinkTable, TermInput, object>

/** A term as read by the repository: its columns, its live post count and, in a tree, its ancestors (root first). */
export type TermRowOf<K extends AnyTermKind> = K['table']['$inferSelect'] & { postCount: number, path?: PathStep[] }

/** The body a create or update of this kind accepts (all optional: create also needs `name`). */
export type TermInputOf<K extends AnyTermKind> = Parameters<K['columns']>[0]

/** Declares a kind, keeping its precise types (row, link table, input, fields). */
export function defineTermKind<T extends TermTable, L extends LinkTable, Input extends TermInput, Fields extends object> (kind: TermKind<T, L, Input, Fields>): TermKind<T, L, Input, Fields> {
  return kind
}
