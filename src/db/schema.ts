import { sqliteTable, integer, text, index, uniqueIndex, primaryKey, check, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

// Times are stored as integer milliseconds since the epoch (UTC): compact,
// index-friendly and compared with plain integers; mappers turn them into ISO strings.

/** The single row (id = 1) of site settings. */
export const siteSettings = sqliteTable('site_settings', {
  id: integer('id').primaryKey(),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  language: text('language').notNull().default('en'),
  timezone: text('timezone').notNull().default('UTC'),
  commentsEnabled: integer('comments_enabled', { mode: 'boolean' }).notNull().default(true),
  commentModeration: text('comment_moderation', { enum: ['all', 'first_time', 'none'] }).notNull().default('all'),
  commentMaxDepth: integer('comment_max_depth').notNull().default(5),
  commentMaxLinks: integer('comment_max_links').notNull().default(2),
  // The menus as written (items by URL or by the id of a page, category, tag or post), resolved
  // to current URLs when read.
  navigation: text('navigation', { mode: 'json' }).$type<StoredNavigation>().notNull().default({ primary: [], secondary: [] }),
  updatedAt: integer('updated_at').notNull()
})

/** A menu item as stored: a label and exactly one target, with up to two levels below it. */
export interface StoredNavItem {
  label: string
  url?: string
  page_id?: number
  category_id?: number
  tag_id?: number
  post_id?: number
  children?: StoredNavItem[]
}
export interface StoredNavigation { primary: StoredNavItem[], secondary: StoredNavItem[] }

/** Key/value store for internal values (the comment hash key of earlier versions). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull()
})

/**
 * What each committed write invalidated: the surrogate keys of the public responses it may have
 * changed (src/modules/cache-keys.ts), space-separated, written in the write's transaction.
 * Every process sharing the file reads the rows after the last one it has seen, once per
 * event-loop turn, and drops its cached responses carrying those keys (src/db/invalidations.ts).
 * The id orders them (AUTOINCREMENT: never reused, also after pruning); old rows are pruned.
 */
export const invalidations = sqliteTable('invalidations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** When the write ran (its transaction's time, ms). */
  at: integer('at').notNull(),
  keys: text('keys').notNull()
})

export const authors = sqliteTable('authors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  email: text('email'),
  bio: text('bio').notNull().default(''),
  avatarUrl: text('avatar_url'),
  website: text('website'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, (t) => [uniqueIndex('authors_slug_unique').on(t.slug), index('authors_name_idx').on(t.name)])

export const categories = sqliteTable('categories', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  parentId: integer('parent_id').references((): AnySQLiteColumn => categories.id, { onDelete: 'restrict' }),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, (t) => [uniqueIndex('categories_slug_unique').on(t.slug), index('categories_parent_idx').on(t.parentId), index('categories_name_idx').on(t.name)])

export const tags = sqliteTable('tags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, (t) => [uniqueIndex('tags_slug_unique').on(t.slug), index('tags_name_idx').on(t.name)])

export const POST_STATUSES = ['draft', 'scheduled', 'published', 'archived'] as const
export type PostStatus = typeof POST_STATUSES[number]

export const posts = sqliteTable('posts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull(),
  title: text('title').notNull(),
  excerpt: text('excerpt').notNull().default(''),
  status: text('status', { enum: POST_STATUSES }).notNull().default('draft'),
  // A post is public when status is published or scheduled and published_at has passed:
  // scheduled posts go live by themselves, no job needed.
  publishedAt: integer('published_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  authorId: integer('author_id').notNull().references(() => authors.id, { onDelete: 'restrict' }),
  featuredImageUrl: text('featured_image_url'),
  featuredImageAlt: text('featured_image_alt'),
  sourceUrl: text('source_url'),
  sourceName: text('source_name'),
  canonicalUrl: text('canonical_url'),
  commentStatus: text('comment_status', { enum: ['open', 'closed'] }).notNull().default('open'),
  // Editors' picks (WordPress's sticky posts on import): `GET /v1/posts?featured=true`.
  featured: integer('featured', { mode: 'boolean' }).notNull().default(false),
  wordCount: integer('word_count').notNull().default(0),
  readingTimeMinutes: integer('reading_time_minutes').notNull().default(1),
  // Approved comments only; kept in step by the comments repository in the same transaction.
  commentCount: integer('comment_count').notNull().default(0),
  // Where an imported post came from (e.g. 'wxr:<guid>' or 'feed:<item id>'), for idempotent re-imports.
  importKey: text('import_key'),
  // The bodies come last: SQLite stores a row's columns in order and must walk a large value's
  // overflow pages to reach any column after it, so list queries never touch them this way.
  contentHtml: text('content_html').notNull().default(''),
  // Plain text of the body, kept for search and related-post scoring.
  contentText: text('content_text').notNull().default('')
}, (t) => [
  uniqueIndex('posts_slug_unique').on(t.slug),
  uniqueIndex('posts_import_key_unique').on(t.importKey),
  index('posts_status_published_idx').on(t.status, t.publishedAt, t.id),
  index('posts_status_updated_idx').on(t.status, t.updatedAt, t.id),
  index('posts_status_title_idx').on(t.status, t.title, t.id),
  index('posts_author_published_idx').on(t.authorId, t.status, t.publishedAt, t.id),
  index('posts_featured_published_idx').on(t.featured, t.status, t.publishedAt, t.id)
])

export const PAGE_STATUSES = ['draft', 'published'] as const

/**
 * Static pages (About, Team…): a tree by parent_id, ordered by menu_order among siblings. Slugs
 * are unique over all pages, so `/v1/pages/{slug}` names one; a page's path is its ancestors'
 * slugs and its own. Scheduled pages are stored as published with a future date, as posts are.
 */
export const pages = sqliteTable('pages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull(),
  title: text('title').notNull(),
  parentId: integer('parent_id').references((): AnySQLiteColumn => pages.id, { onDelete: 'restrict' }),
  menuOrder: integer('menu_order').notNull().default(0),
  excerpt: text('excerpt').notNull().default(''),
  status: text('status', { enum: PAGE_STATUSES }).notNull().default('draft'),
  publishedAt: integer('published_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  featuredImageUrl: text('featured_image_url'),
  featuredImageAlt: text('featured_image_alt'),
  // SEO and social metadata, as on posts (null: the documented fallback applies).
  metaTitle: text('meta_title'),
  metaDescription: text('meta_description'),
  ogTitle: text('og_title'),
  ogDescription: text('og_description'),
  ogImage: text('og_image'),
  twitterTitle: text('twitter_title'),
  twitterDescription: text('twitter_description'),
  twitterImage: text('twitter_image'),
  canonicalUrl: text('canonical_url'),
  noindex: integer('noindex', { mode: 'boolean' }).notNull().default(false),
  // Where an imported page came from ('wxr:<guid>'), for idempotent re-imports.
  importKey: text('import_key'),
  // The body last, as in posts: list reads never walk its overflow pages.
  contentHtml: text('content_html').notNull().default('')
}, (t) => [
  uniqueIndex('pages_slug_unique').on(t.slug),
  uniqueIndex('pages_import_key_unique').on(t.importKey),
  index('pages_parent_order_idx').on(t.parentId, t.menuOrder, t.id),
  index('pages_status_published_idx').on(t.status, t.publishedAt)
])

/**
 * SEO and social metadata of a post, one row for a post that has any: kept beside the posts
 * table rather than in it, because a column added to posts lands after its large bodies, where
 * every list read would have to walk their overflow pages to reach it.
 */
export const postSeo = sqliteTable('post_seo', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  metaTitle: text('meta_title'),
  metaDescription: text('meta_description'),
  ogTitle: text('og_title'),
  ogDescription: text('og_description'),
  ogImage: text('og_image'),
  twitterTitle: text('twitter_title'),
  twitterDescription: text('twitter_description'),
  twitterImage: text('twitter_image'),
  noindex: integer('noindex', { mode: 'boolean' }).notNull().default(false)
})
/**
 * The address an imported post had on the old site (WordPress's permalink), for the redirect
 * map (GET /v1/redirects). A table of its own rather than a posts column: a column added to
 * posts would sit after the bodies, where every list query would have to walk a long body's
 * overflow pages to reach it. `path` is the lookup form of the URL (see lib/legacy-url.ts).
 */
export const legacyUrls = sqliteTable('legacy_urls', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  path: text('path').notNull()
}, (t) => [index('legacy_urls_path_idx').on(t.path, t.postId)])

export const postCategories = sqliteTable('post_categories', {
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  categoryId: integer('category_id').notNull().references(() => categories.id, { onDelete: 'restrict' }),
  // 0 is the primary category.
  position: integer('position').notNull().default(0)
}, (t) => [primaryKey({ columns: [t.postId, t.categoryId] }), index('post_categories_category_idx').on(t.categoryId, t.postId)])

export const postTags = sqliteTable('post_tags', {
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  tagId: integer('tag_id').notNull().references(() => tags.id, { onDelete: 'restrict' }),
  position: integer('position').notNull().default(0)
}, (t) => [primaryKey({ columns: [t.postId, t.tagId] }), index('post_tags_tag_idx').on(t.tagId, t.postId)])

/**
 * Every author of a post, in order: position 0 is the primary author, always posts.author_id
 * (kept so by triggers, 0014, whoever writes the post); co-authors follow from 1.
 */
export const postAuthors = sqliteTable('post_authors', {
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  authorId: integer('author_id').notNull().references(() => authors.id, { onDelete: 'cascade' }),
  position: integer('position').notNull().default(0)
}, (t) => [primaryKey({ columns: [t.postId, t.authorId] }), index('post_authors_author_idx').on(t.authorId, t.postId)])

export const COMMENT_STATUSES = ['pending', 'approved', 'spam', 'trash'] as const
export type CommentStatus = typeof COMMENT_STATUSES[number]

export const comments = sqliteTable('comments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  parentId: integer('parent_id').references((): AnySQLiteColumn => comments.id, { onDelete: 'set null' }),
  // Materialized path of zero-padded ids ("0000000012/0000000031"): ORDER BY path is thread order.
  path: text('path').notNull(),
  depth: integer('depth').notNull().default(0),
  authorName: text('author_name').notNull(),
  authorEmail: text('author_email'),
  authorUrl: text('author_url'),
  content: text('content').notNull(),
  contentHtml: text('content_html').notNull(),
  contentHash: text('content_hash').notNull(),
  status: text('status', { enum: COMMENT_STATUSES }).notNull().default('pending'),
  type: text('type', { enum: ['comment', 'pingback', 'trackback'] }).notNull().default('comment'),
  // A deleted comment with replies stays as a tombstone so its thread is not lost.
  deletedAt: integer('deleted_at'),
  // HMAC of the client address with a per-installation key; the address itself is never stored.
  clientHash: text('client_hash'),
  userAgent: text('user_agent'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  importKey: text('import_key')
}, (t) => [
  index('comments_post_path_idx').on(t.postId, t.status, t.path),
  index('comments_status_created_idx').on(t.status, t.createdAt, t.id),
  index('comments_parent_idx').on(t.parentId),
  index('comments_post_hash_idx').on(t.postId, t.contentHash),
  index('comments_email_status_idx').on(t.authorEmail, t.status),
  uniqueIndex('comments_import_key_unique').on(t.importKey)
])

export const API_SCOPES = ['read:drafts', 'write:content', 'moderate:comments', 'admin'] as const
export type ApiScope = typeof API_SCOPES[number]

export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  // The first characters of the key, shown in lists so people can tell keys apart.
  prefix: text('prefix').notNull(),
  // SHA-256 of the whole key: the key itself is never stored.
  keyHash: text('key_hash').notNull(),
  scopes: text('scopes', { mode: 'json' }).$type<ApiScope[]>().notNull(),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
  // Optional quotas: requests made with the key (reads included) per minute and per UTC day.
  rateLimitPerMinute: integer('rate_limit_per_minute'),
  rateLimitPerDay: integer('rate_limit_per_day')
}, (t) => [uniqueIndex('api_keys_hash_unique').on(t.keyHash)])

/**
 * Requests made with each key, per window: `m` rows per minute (for the per-minute quota;
 * pruned), `d` rows per UTC day (the day quota and GET /v1/keys/{id}/usage). Counted in the
 * database, so processes sharing the file share the quota.
 */
export const keyUsage = sqliteTable('key_usage', {
  keyId: integer('key_id').notNull().references(() => apiKeys.id, { onDelete: 'cascade' }),
  window: text('window', { enum: ['m', 'd'] }).notNull(),
  // The window's start, ms since the epoch.
  start: integer('start').notNull(),
  requests: integer('requests').notNull().default(0),
  // Requests refused with a 429 in the window.
  limited: integer('limited').notNull().default(0)
}, (t) => [primaryKey({ columns: [t.keyId, t.window, t.start] })])

/** The ordered log of public changes that mirrors replay (GET /v1/changes). */
export const changes = sqliteTable('changes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  resource: text('resource', { enum: ['post', 'page', 'category', 'tag', 'author', 'comment', 'site'] }).notNull(),
  resourceId: integer('resource_id').notNull(),
  slug: text('slug'),
  action: text('action', { enum: ['upsert', 'delete'] }).notNull(),
  // The post a comment entry belongs to (null for every other resource).
  postId: integer('post_id'),
  // May lie in the future for a scheduled post: the entry becomes visible when it goes live.
  changedAt: integer('changed_at').notNull()
}, (t) => [index('changes_changed_idx').on(t.changedAt, t.id), index('changes_resource_idx').on(t.resource, t.resourceId)])

export const WEBHOOK_EVENTS = [
  'post.published', 'post.updated', 'post.unpublished', 'post.deleted', 'comment.created', 'comment.approved',
  'category.created', 'category.updated', 'category.deleted', 'tag.created', 'tag.updated', 'tag.deleted',
  'author.created', 'author.updated', 'author.deleted', 'site.updated',
  'page.published', 'page.updated', 'page.unpublished', 'page.deleted'
] as const
export type WebhookEvent = typeof WEBHOOK_EVENTS[number]

export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  events: text('events', { mode: 'json' }).$type<WebhookEvent[]>().notNull(),
  secret: text('secret').notNull(),
  // After a rotation the old secret signs too (a second v1=) until previous_secret_expires_at.
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  description: text('description').notNull().default(''),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
})

export const webhookDeliveries = sqliteTable('webhook_deliveries', {
  // The one delivery id: the API's, X-Broadsheet-Delivery's and the payload's `id`.
  id: integer('id').primaryKey({ autoIncrement: true }),
  webhookId: integer('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  event: text('event').$type<WebhookEvent>().notNull(),
  // The payload without its `id` (`{"event",…}`): the id is known once the row is, and is put
  // first when the body is sent, the same bytes every attempt.
  payload: text('payload').notNull(),
  status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: integer('next_attempt_at'),
  lastStatusCode: integer('last_status_code'),
  lastError: text('last_error'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  deliveredAt: integer('delivered_at')
}, (t) => [
  index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
  index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id)
])

/** Events whose webhooks fire at a future time (a scheduled post going live). */
export const scheduledEvents = sqliteTable('scheduled_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  event: text('event').$type<WebhookEvent>().notNull(),
  dueAt: integer('due_at').notNull()
}, (t) => [index('scheduled_events_due_idx').on(t.dueAt)])

/** The same for pages: a scheduled page's page.published, sent when its time comes. */
export const scheduledPageEvents = sqliteTable('scheduled_page_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  pageId: integer('page_id').notNull().references(() => pages.id, { onDelete: 'cascade' }),
  event: text('event').$type<WebhookEvent>().notNull(),
  dueAt: integer('due_at').notNull()
}, (t) => [index('scheduled_page_events_due_idx').on(t.dueAt)])

export const IMPORT_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type ImportJobStatus = typeof IMPORT_JOB_STATUSES[number]

/**
 * Imports run as background jobs, one at a time per database, each by the process that
 * received it (its `owner`). The owner renews `lease_until` while the job is queued or
 * running; a job whose owner is gone is failed by whichever process notices first.
 */
export const importJobs = sqliteTable('import_jobs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind', { enum: ['wxr', 'feed'] }).notNull(),
  status: text('status', { enum: IMPORT_JOB_STATUSES }).notNull().default('queued'),
  // What was imported: "upload", the feed's URL, or the file the command line read.
  source: text('source').notNull(),
  // The body, spooled to a temporary file until the job ends.
  filePath: text('file_path'),
  // How to read it (feed status, source URL, content type), as JSON.
  options: text('options').notNull().default('{}'),
  bytesTotal: integer('bytes_total').notNull().default(0),
  bytesRead: integer('bytes_read').notNull().default(0),
  itemsRead: integer('items_read').notNull().default(0),
  // Known for feeds once parsed; an export is read as a stream.
  itemsTotal: integer('items_total'),
  // The summary so far (JSON), final once the job has ended.
  summary: text('summary'),
  errorCode: text('error_code'),
  error: text('error'),
  cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
  // host:pid:nonce of the process that runs it.
  owner: text('owner').notNull(),
  leaseUntil: integer('lease_until').notNull(),
  createdAt: integer('created_at').notNull(),
  startedAt: integer('started_at'),
  finishedAt: integer('finished_at'),
  updatedAt: integer('updated_at').notNull()
}, (t) => [index('import_jobs_status_idx').on(t.status, t.id)])

/**
 * Preview links: a bearer token that reads one post whatever its status (issue 16). Only the
 * SHA-256 of the token is kept; revoking deletes the rows, and so does deleting the post.
 */
export const postPreviews = sqliteTable('post_previews', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull()
}, (t) => [
  uniqueIndex('post_previews_token_hash_unique').on(t.tokenHash),
  index('post_previews_post_idx').on(t.postId),
  index('post_previews_expires_idx').on(t.expiresAt)
])

/**
 * Feed subscriptions (syndication in): a feed polled by every server process's poller. A
 * poller leases a due source (`lease_until`) in an IMMEDIATE transaction, so two processes
 * on one file never fetch it at once, and records the result only while it still holds that
 * lease. Items become posts keyed `source:<id>:<item id>` (posts.import_key is unique).
 */
export const sources = sqliteTable('sources', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  // Updated when the feed answers a permanent redirect (301, 308).
  feedUrl: text('feed_url').notNull(),
  name: text('name').notNull(),
  categoryIds: text('category_ids', { mode: 'json' }).$type<number[]>().notNull(),
  tagIds: text('tag_ids', { mode: 'json' }).$type<number[]>().notNull(),
  // null: each item is credited to the author it names, else to one named after the feed.
  authorId: integer('author_id').references(() => authors.id, { onDelete: 'set null' }),
  status: text('status', { enum: ['draft', 'published'] }).notNull().default('draft'),
  intervalMinutes: integer('interval_minutes').notNull().default(30),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  attributionName: text('attribution_name'),
  attributionUrl: text('attribution_url'),
  // Validators of the last 200 answer, sent back as If-None-Match / If-Modified-Since.
  etag: text('etag'),
  lastModified: text('last_modified'),
  nextPollAt: integer('next_poll_at').notNull(),
  leaseUntil: integer('lease_until'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  lastError: text('last_error'),
  // Why the poller turned it off (too many failures, 410 Gone); cleared when re-enabled.
  disabledReason: text('disabled_reason'),
  lastPolledAt: integer('last_polled_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, (t) => [index('sources_due_idx').on(t.enabled, t.nextPollAt)])

/** One poll of a source: what the feed answered and what became of its items. */
export const sourceRuns = sqliteTable('source_runs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  sourceId: integer('source_id').notNull().references(() => sources.id, { onDelete: 'cascade' }),
  startedAt: integer('started_at').notNull(),
  url: text('url').notNull(),
  httpStatus: integer('http_status'),
  itemsSeen: integer('items_seen').notNull().default(0),
  itemsNew: integer('items_new').notNull().default(0),
  itemsUpdated: integer('items_updated').notNull().default(0),
  itemsSkipped: integer('items_skipped').notNull().default(0),
  durationMs: integer('duration_ms').notNull(),
  error: text('error')
}, (t) => [index('source_runs_source_idx').on(t.sourceId, t.id)])

/**
 * The media library: uploaded images. The original bytes are stored once per content hash
 * (`sha256`, hex) under MEDIA_PATH, so the same file uploaded twice is one file on disk; every
 * served byte is a render of it (stripped of metadata, oriented). `filename` is the last part of
 * its public URL and carries a prefix of the hash, so a URL always names the same bytes.
 */
export const media = sqliteTable('media', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  sha256: text('sha256').notNull(),
  filename: text('filename').notNull(),
  mimeType: text('mime_type').notNull(),
  bytes: integer('bytes').notNull(),
  // Displayed size: after the EXIF orientation is applied.
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  title: text('title').notNull().default(''),
  alt: text('alt').notNull().default(''),
  caption: text('caption').notNull().default(''),
  credit: text('credit').notNull().default(''),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, (t) => [
  index('media_created_idx').on(t.createdAt, t.id),
  index('media_sha256_idx').on(t.sha256)
])

/**
 * A post's featured image from the library, beside the posts table rather than in it (the
 * posts row keeps its bodies last, and an external featured image stays in its own columns).
 * A medium in use is not deleted unless asked to (`?force=true` deletes these links first).
 */
export const postFeaturedMedia = sqliteTable('post_featured_media', {
  postId: integer('post_id').primaryKey().references(() => posts.id, { onDelete: 'cascade' }),
  mediaId: integer('media_id').notNull().references(() => media.id, { onDelete: 'restrict' })
}, (t) => [index('post_featured_media_media_idx').on(t.mediaId)])

/**
 * The editorial history of posts and pages: one row per change of a post's or page's title,
 * excerpt, body, status (with published_at) or SEO fields, numbered from 1 (the creation) per
 * post or page. `fields` holds every editorial field as it stood after that change (what a
 * restore writes back), last in the row so lists never walk a body's overflow pages; `changed`
 * names the fields that differ from the revision before. The key that made it is copied (id,
 * prefix, name), so the history survives the key's deletion. Only the newest REVISIONS_KEEP
 * are kept; deleted with their post or page.
 */
export const revisions = sqliteTable('revisions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  postId: integer('post_id').references(() => posts.id, { onDelete: 'cascade' }),
  pageId: integer('page_id').references(() => pages.id, { onDelete: 'cascade' }),
  number: integer('number').notNull(),
  createdAt: integer('created_at').notNull(),
  // null for writes no key made (imports, the feed poller, the command line).
  keyId: integer('key_id'),
  keyPrefix: text('key_prefix'),
  keyName: text('key_name'),
  changed: text('changed', { mode: 'json' }).$type<string[]>().notNull(),
  // The revision a restore wrote back, else null.
  restoredFrom: integer('restored_from'),
  fields: text('fields', { mode: 'json' }).$type<Record<string, unknown>>().notNull()
}, (t) => [
  uniqueIndex('revisions_post_number_unique').on(t.postId, t.number),
  uniqueIndex('revisions_page_number_unique').on(t.pageId, t.number),
  check('revisions_one_owner', sql`(${t.postId} IS NULL) <> (${t.pageId} IS NULL)`)
])
