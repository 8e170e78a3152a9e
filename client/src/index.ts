// @broadsheet/client: a typed client for the Broadsheet content API.
export { createBroadsheetClient } from './client.js'
export type {
  BroadsheetClient, BroadsheetClientOptions, FieldNames, FullBody, ItemOf, ListPath, Method, Page, PaginateOptions,
  PathsWith, RequestInitFor, Result, SparseBody, SuccessBody
} from './client.js'
export { BroadsheetProblem, isBroadsheetProblem } from './problem.js'
export type { Problem, ProblemFieldError } from './problem.js'
export { EtagCache, REVALIDATED_HEADER } from './etag-cache.js'
export type { EtagCacheOptions, EtagCacheStats } from './etag-cache.js'
export type { paths, operations, components } from './schema.js'

import type { components } from './schema.js'

type Schemas = components['schemas']
/** A single post as `GET /v1/posts/{ref}` answers it. */
export type Post = Schemas['Post']
/** A post in a list read without `fields`: every field (content_html only when asked for, snippet only with `q`). */
export type PostSummary = Schemas['PostSummary']
/**
 * A post in a list read with `fields`: every field optional. `bs.GET('/v1/posts', …)` with a
 * literal `fields` ('id,slug,title') types each item as exactly those fields of PostSummary.
 */
export type SparsePostSummary = Schemas['SparsePostSummary']
export type PostListMeta = Schemas['PostListMeta']
export type RelatedPost = Schemas['RelatedPost']
export type PublicComment = Schemas['PublicComment']
export type SubmittedComment = Schemas['SubmittedComment']
export type Comment = Schemas['Comment']
export type Site = Schemas['Site']
export type Category = Schemas['Category']
export type Tag = Schemas['Tag']
export type Author = Schemas['Author']
export type TermRef = Schemas['TermRef']
/** A category as embedded in a post: with `parent_id` and `path` (its ancestors from the root, itself excluded). */
export type CategoryRef = Schemas['CategoryRef']
/** A post read with `fields` (`GET /v1/posts/{ref}?fields=…`): every field optional. */
export type SparsePost = Schemas['SparsePost']
export type AuthorRef = Schemas['AuthorRef']
export type PaginationMeta = Schemas['PaginationMeta']
/** A new preview link (`POST /v1/posts/{ref}/previews`): the token, shown once, and the frontend URL. */
export type PreviewLink = Schemas['PreviewLink']
/** A post read through a preview link (`GET /v1/previews/{token}`): the single-post shape plus `preview: true`. */
export type PreviewPost = Schemas['PreviewEnvelope']['data']
/** A page (`GET /v1/pages/{ref}`, `GET /v1/pages?path=about/team`). Named so because `Page` is a page of a list. */
export type ContentPage = Schemas['Page']
/** A page in a list (`GET /v1/pages`): every field but content_html. */
export type PageSummary = Schemas['PageSummary']
/** The computed head tags of a post or page (`seo`): every fallback applied, ready to render. */
export type Seo = Schemas['Post']['seo']
/** An item of a navigation menu in `GET /v1/site`, with its target's current URL. */
export type NavigationItem = Schemas['Site']['navigation']['primary'][number]
