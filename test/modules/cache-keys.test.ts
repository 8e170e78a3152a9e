import t from 'tap'
import { feedKeys, goLiveKeys, keysForChanges, postListKeys, relatedKeys, relatedWriteKeys } from '../../src/modules/cache-keys.js'
import type { ContentChange, PostLinks, PostState } from '../../src/db/change-bus.js'

// What each kind of write invalidates: precise, so a write drops only the cached responses that
// show what it changed (README "Caching" has the same table).

const NOW = 1_800_000_000_000
const live: PostState = { slug: 's', status: 'published', publishedAt: NOW - 1000 }
const draft: PostState = { slug: 's', status: 'draft', publishedAt: null }
const scheduled: PostState = { slug: 's', status: 'published', publishedAt: NOW + 60_000 }
const links: PostLinks = { authorId: 1, categoryIds: [2], tagIds: [3, 4] }
const post = (before: PostState | null, after: PostState | null, l?: { before: PostLinks | null, after: PostLinks | null }): ContentChange =>
  ({ kind: 'post', id: 7, before, after, ...(l !== undefined ? { links: l } : {}) })
const keys = (...changes: ContentChange[]) => keysForChanges(changes, NOW)

t.test('post writes', async (t) => {
  t.same(keys(post(null, live, { before: null, after: links })), ['authors', 'categories', 'changes', 'post-7', 'post-edits', 'posts', 'related', 'tags'], 'a published post: lists, terms (their counts), search and related (every related answer, as when it goes live by time)')
  t.same(keys(post(live, live, { before: links, after: links })), ['changes', 'post-7', 'post-edits'], 'an edit of a live post: the post, text-dependent lists, the change log; not the post lists')
  t.same(keys(post(live, { ...live, publishedAt: NOW - 5000 }, { before: links, after: links })), ['changes', 'post-7', 'post-edits', 'posts'], 'a new publication time moves it in the lists')
  t.same(keys(post(live, live, { before: links, after: { ...links, tagIds: [3] } })), ['changes', 'post-7', 'post-edits', 'posts', 'tags'], 'a tag removed: tag-filtered lists and tag counts')
  t.same(keys(post(live, live, { before: links, after: { ...links, authorId: 9 } })), ['authors', 'changes', 'post-7', 'post-edits', 'posts'], 'another author')
  t.same(keys(post(live, live, { before: { ...links, authorIds: [1] }, after: { ...links, authorIds: [1, 5] } })), ['authors', 'changes', 'post-7', 'post-edits', 'posts'], 'a co-author added')
  t.same(keys(post(live, live, { before: { ...links, authorIds: [1, 5, 6] }, after: { ...links, authorIds: [1, 6, 5] } })), ['authors', 'changes', 'post-7', 'post-edits', 'posts'], 'co-authors reordered: taken as an author change (a little more than needed; it is rare)')
  t.same(keys(post(live, live, { before: { ...links, featured: false }, after: { ...links, featured: true } })), ['changes', 'featured', 'post-7', 'post-edits'], 'featured: the lists filtered by featured')
  t.same(keys(post(draft, draft, { before: { ...links, featured: false }, after: { ...links, featured: true } })), ['post-7'], 'a draft featured: nothing public')
  t.same(keys(post(live, draft, { before: links, after: links })), ['authors', 'categories', 'changes', 'post-7', 'post-edits', 'posts', 'tags'], 'unpublished')
  t.same(keys(post(live, null, { before: links, after: null })), ['authors', 'categories', 'changes', 'post-7', 'post-edits', 'posts', 'tags'], 'deleted')
  t.same(keys(post(draft, draft, { before: links, after: links })), ['post-7'], 'a draft edit: nothing public')
  t.same(keys(post(null, draft, { before: null, after: links })), ['post-7'], 'a new draft')
  t.same(keys(post(draft, scheduled, { before: links, after: links })), ['post-7'], 'scheduled for later: invalidated when it goes live')
  t.same(keys(post(null, null, { before: null, after: null })), ['post-7'], 'nothing before or after')
  t.same(keys(post(live, live)), ['changes', 'post-7'], 'a touch (comment count, a renamed term): the post and the change log only')
})

t.test('comments', async (t) => {
  const comment = (before: string | null, after: string | null): ContentChange => ({ kind: 'comment', id: 1, postId: 3, before, after })
  t.same(keys(comment(null, 'pending')), [], 'a submitted comment waits unseen')
  t.same(keys(comment('pending', 'approved')), ['changes', 'post-3'], 'approved: its post (thread, count) and the change log only')
  t.same(keys(comment('approved', 'spam')), ['changes', 'post-3'])
  t.same(keys(comment('approved', null)), ['changes', 'post-3'], 'an approved comment deleted')
  t.same(keys(comment('pending', null)), [], 'a pending one deleted')
})

t.test('terms and the site', async (t) => {
  t.same(keys({ kind: 'tag', id: 1, slug: 'x', action: 'upsert' }), ['changes', 'tags'], 'a tag: tag lists and reads, tag-filtered pages')
  t.same(keys({ kind: 'category', id: 1, slug: 'x', action: 'delete' }), ['categories', 'changes'])
  t.same(keys({ kind: 'author', id: 1, slug: 'x', action: 'upsert' }), ['authors', 'changes'])
  t.same(keys({ kind: 'site' }), ['changes', 'site'], 'site settings: the site and the feeds')
  t.same(keys({ kind: 'tag', id: 1, slug: 'x', action: 'upsert' }, post(live, live), { kind: 'comment', id: 1, postId: 3, before: 'pending', after: 'approved' }), ['changes', 'post-3', 'post-7', 'tags'], 'a write with several changes: the union')
})

t.test('a scheduled post going live, and what responses carry', async (t) => {
  t.same(goLiveKeys([5, 6]), ['authors', 'categories', 'changes', 'post-5', 'post-6', 'posts', 'related', 'tags'], 'which stored related lists it enters is found later: every stored related answer')
  t.same(postListKeys([1, 2], {}), ['posts', 'post-1', 'post-2'])
  t.same(postListKeys([1], { q: 'x', category: 'c', tag: 't', author: 'a' }), ['posts', 'post-edits', 'categories', 'tags', 'authors', 'post-1'])
  t.same(postListKeys([1], { featured: 'true' }), ['posts', 'featured', 'post-1'], 'featured lists')
  t.same(postListKeys([], { sort: 'published_at' }), ['posts'], 'publication order needs no post-edits')
  t.same(feedKeys([1], { tag: 't' }), ['posts', 'site', 'changes', 'tags', 'post-1'])
  t.same(relatedKeys(1, [2, 3]), ['posts', 'post-edits', 'related', 'post-1', 'post-2', 'post-3'], 'a computed related answer: the corpus')
  t.same(relatedKeys(1, [2, 3], true), ['related', 'related-1', 'post-1', 'post-2', 'post-3'], 'one from the stored list: that list')
})

t.test('a write names the stored related lists its cascades changed, or all of them when it left cascades to the background', async (t) => {
  t.same(relatedWriteKeys({ ids: [4, 9], complete: true }), ['related-4', 'related-9'])
  t.same(relatedWriteKeys({ ids: [], complete: true }), [], 'no list changed')
  t.same(relatedWriteKeys({ ids: [4], complete: false }), ['related'])
  t.same(relatedWriteKeys(null), [], 'no stored lists here')
})
