import { isLive, isScheduled, type ContentChange, type PostLinks, type PostState } from '../../db/change-bus.js'
import type { TermKind, TermVisibility } from '../../db/term-visibility.js'
import type { PostsRepository } from '../posts/posts-repository.js'
import type { PostsService } from '../posts/posts-service.js'
import { toPost } from '../posts/posts-mapper.js'
import { withSeo, type PostSeoRepository } from '../posts/posts-seo.js'
import type { CommentsSyncRepository } from '../comments/comments-repository.js'
import { toSubmittedComment } from '../comments/comments-mapper.js'
import type { PagesSyncService } from '../pages/pages-service.js'
import { toPage } from '../pages/pages-mapper.js'
import type { SiteRepository } from '../site/site-repository.js'
import { toSite } from '../site/site-mapper.js'
import { resolveNavigation, type NavigationTargets } from '../site/site-navigation.js'
import type { WebhookEvent, WebhooksSyncRepository } from './webhooks-repository.js'

type PostChange = Extract<ContentChange, { kind: 'post' }>
type CommentChange = Extract<ContentChange, { kind: 'comment' }>
type PageChange = Extract<ContentChange, { kind: 'page' }>
type TermChange = Extract<ContentChange, { kind: TermKind }>

const TERM_KINDS: readonly TermKind[] = ['category', 'tag', 'author']

/** The webhook event a post change means to the public, if any. */
export function postEvent (change: PostChange, now: number): WebhookEvent | null {
  const was = isLive(change.before, now)
  const is = isLive(change.after, now)
  if (!was && is) return 'post.published'
  if (was && is) return 'post.updated'
  if (was && !is) return change.after === null ? 'post.deleted' : 'post.unpublished'
  return null
}

/** The webhook events of a comment change: a new comment (not spam) and each approval. */
export function commentEvents (change: CommentChange): WebhookEvent[] {
  const events: WebhookEvent[] = []
  if (change.before === null && (change.after === 'pending' || change.after === 'approved')) events.push('comment.created')
  if (change.after === 'approved' && change.before !== 'approved') events.push('comment.approved')
  return events
}

function apiStatus (state: PostState, now: number): string {
  return isScheduled(state, now) ? 'scheduled' : state.status
}

/** A term as a webhook payload carries it: the API's fields without the live post count (not an event of its own). */
export type TermPayload = Record<string, unknown> & { id: number, slug: string }

/**
 * Turns content changes into queued webhook deliveries. `listener` runs on the change bus
 * inside each write's transaction, so a delivery is queued exactly when its change commits
 * and never lost. A scheduled post gets a `scheduled_events` row (replaced on every write of
 * the post) that `promoteDue` turns into post.published deliveries once its time has come.
 *
 * Categories, tags and authors follow the public view, as the change log does (a term is
 * public from its first live post: db/term-visibility.ts): `<kind>.created` when a term
 * appears to the public (its first live post, at a scheduled post's go-live time too),
 * `<kind>.updated` when a public term is changed, `<kind>.deleted` when it is deleted or stops
 * being public. So a tag made for an embargoed story is announced with the story, never before.
 */
export function createWebhookEvents (deps: {
  repo: WebhooksSyncRepository
  posts: Pick<PostsRepository, 'findByRef'>
  /** The categories, tags and author a post payload carries. */
  relations: Pick<PostsService, 'relationsOf'>
  comments: Pick<CommentsSyncRepository, 'findById'>
  /** The page payloads: a page as the public sees it inside the write. */
  pages?: Pick<PagesSyncService, 'findLiveFresh'>
  /** The SEO fields a post payload carries, as a single read shows them. */
  seo?: Pick<PostSeoRepository, 'get'>
  /** Whether a term is public, asked inside the write (as the change log asks). */
  visibility: Pick<TermVisibility, 'hasLivePost' | 'withAncestors'>
  /** A term's payload by kind and id, undefined once it is gone. */
  term: (kind: TermKind, id: number) => TermPayload | undefined
  site: Pick<SiteRepository, 'get'>
  /** Menu targets, for the site payload's navigation (as GET /v1/site resolves it). */
  navigation: Pick<NavigationTargets, 'resolve'>
  siteUrl: string
  apiUrl: string
}) {
  const { repo, posts, relations, comments, pages, seo, visibility, siteUrl } = deps
  let enqueued = false

  function publish (event: WebhookEvent, data: () => Record<string, unknown> | null, now: number): number {
    const subscribers = repo.subscribers(event)
    if (subscribers.length === 0) return 0
    const body = data()
    if (body === null) return 0
    // The delivery's id is put first when it is sent (deliveryBody): it is known once the row is.
    const payload = JSON.stringify({ event, created_at: new Date(now).toISOString(), data: body })
    for (const webhookId of subscribers) repo.enqueue(webhookId, event, payload, now)
    enqueued = true
    return subscribers.length
  }

  function livePost (id: number, now: number): Record<string, unknown> | null {
    const row = posts.findByRef({ id }, 'public', now)
    if (row === undefined) return null
    const post = toPost(row, relations.relationsOf([row]), siteUrl, now)
    return seo === undefined ? post : withSeo(post, seo.get(id))
  }

  function termAppeared (kind: TermKind, id: number, now: number): number {
    return publish(`${kind}.created`, () => {
      const term = deps.term(kind, id)
      return term === undefined ? null : { [kind]: term }
    }, now)
  }

  function termGone (kind: TermKind, id: number, slug: string | undefined, now: number): void {
    publish(`${kind}.deleted`, () => ({ [kind]: { id, slug: slug ?? deps.term(kind, id)?.slug ?? null } }), now)
  }

  /** The terms a post files under; a category brings the categories above it (they are public with it). */
  function termIds (kind: TermKind, links: Pick<PostLinks, 'authorId' | 'authorIds' | 'categoryIds' | 'tagIds'> | null): Set<number> {
    if (links === null) return new Set()
    if (kind === 'tag') return new Set(links.tagIds)
    if (kind === 'author') return new Set(links.authorIds ?? [links.authorId])
    return new Set(visibility.withAncestors(links.categoryIds))
  }

  /** Categories from the top of the tree down (a parent before its children); asked only when several appear or go at once. */
  function topDown (ids: number[]): number[] {
    if (ids.length < 2) return ids
    const depth = new Map(ids.map((id) => [id, visibility.withAncestors([id]).length]))
    return [...ids].sort((a, b) => depth.get(a)! - depth.get(b)!)
  }

  /** Terms that appear with a post going live, or go with it: no other live post has them. */
  function termTransitions (change: PostChange, now: number): { appeared: Array<[TermKind, number]>, gone: Array<[TermKind, number]> } {
    const appeared: Array<[TermKind, number]> = []
    const gone: Array<[TermKind, number]> = []
    const links = change.links
    if (links === undefined) return { appeared, gone }
    const before = isLive(change.before, now) ? links.before : null
    const after = isLive(change.after, now) ? links.after : null
    for (const kind of TERM_KINDS) {
      const was = termIds(kind, before)
      const is = termIds(kind, after)
      const alone = (id: number) => !visibility.hasLivePost(kind, id, now, change.id)
      // Parents before their children on the way in, children first on the way out.
      for (const id of topDown([...is].filter((id) => !was.has(id) && alone(id)))) appeared.push([kind, id])
      for (const id of topDown([...was].filter((id) => !is.has(id) && alone(id))).reverse()) gone.push([kind, id])
    }
    return { appeared, gone }
  }

  function onPost (change: PostChange, now: number): void {
    repo.reschedule(change.id, isScheduled(change.after, now) ? change.after!.publishedAt : null)
    const { appeared, gone } = termTransitions(change, now)
    // A consumer learns of a new category before the post filed under it, and of a post
    // leaving before the tag it took with it.
    for (const [kind, id] of appeared) termAppeared(kind, id, now)
    const event = postEvent(change, now)
    if (event === 'post.published' || event === 'post.updated') {
      publish(event, () => {
        const post = livePost(change.id, now)
        return post && { post }
      }, now)
    } else if (event === 'post.unpublished') {
      // What is no longer public is not sent: only which post left and how it stands now.
      publish(event, () => ({ post: { id: change.id, slug: change.after!.slug, status: apiStatus(change.after!, now) } }), now)
    } else if (event === 'post.deleted') {
      publish(event, () => ({ post: { id: change.id, slug: change.before!.slug } }), now)
    }
    for (const [kind, id] of gone) termGone(kind, id, undefined, now)
  }

  /** A page as the public sees it, or null (not live, or under a parent that is not). */
  function livePage (id: number, now: number): { page: Record<string, unknown> } | null {
    if (pages === undefined) return null
    const found = pages.findLiveFresh(id, now)
    return found === undefined ? null : { page: toPage(found.row, found.path, siteUrl, now) as unknown as Record<string, unknown> }
  }

  // As posts, by the page's own state; a page under a parent that is not live sends no body
  // (the public cannot read it). A scheduled page gets a `scheduled_page_events` row (replaced
  // on every write of the page) that promoteDue turns into page.published at its time.
  function onPage (change: PageChange, now: number): void {
    repo.reschedulePage(change.id, isScheduled(change.after, now) ? change.after!.publishedAt : null)
    const kind = postEvent({ ...change, kind: 'post' }, now)
    if (kind === null || pages === undefined) return
    const event = kind.replace('post.', 'page.') as WebhookEvent
    if (event === 'page.published' || event === 'page.updated') {
      publish(event, () => livePage(change.id, now), now)
    } else if (event === 'page.unpublished') {
      publish(event, () => ({ page: { id: change.id, slug: change.after!.slug, status: apiStatus(change.after!, now) } }), now)
    } else {
      publish(event, () => ({ page: { id: change.id, slug: change.before!.slug } }), now)
    }
  }

  function onComment (change: CommentChange, now: number): void {
    for (const event of commentEvents(change)) {
      publish(event, () => {
        const row = comments.findById(change.id)
        return row === undefined ? null : { comment: toSubmittedComment(row) }
      }, now)
    }
  }

  function onTerm (change: TermChange, now: number): void {
    const { kind, id } = change
    if (change.action === 'delete') {
      // A term the public never saw is never announced, not even its end.
      if (change.wasPublic !== false) termGone(kind, id, change.slug, now)
      return
    }
    // Public before and its own fields unchanged (it took over another term's posts): nothing to tell.
    if (change.wasPublic === true || !visibility.hasLivePost(kind, id, now)) return
    if (change.wasPublic === false) {
      termAppeared(kind, id, now)
      return
    }
    publish(`${kind}.updated`, () => {
      const term = deps.term(kind, id)
      return term === undefined ? null : { [kind]: term }
    }, now)
  }

  return {
    /** The change-bus listener; runs inside the write's transaction. */
    listener (change: ContentChange, now: number): void {
      if (change.kind === 'post') onPost(change, now)
      else if (change.kind === 'comment') onComment(change, now)
      else if (change.kind === 'page') onPage(change, now)
      else if (change.kind === 'site') {
        publish('site.updated', () => {
          const row = deps.site.get()
          return { site: toSite(row, siteUrl, deps.apiUrl, resolveNavigation(row.navigation, deps.navigation, now)) }
        }, now)
      } else onTerm(change, now)
    },

    /**
     * Queues post.published for scheduled posts whose time has come, after the `<kind>.created`
     * of the terms that appear with them, and page.published for scheduled pages; returns the
     * deliveries queued.
     */
    promoteDue (now: number): number {
      return repo.transaction(() => {
        let queued = 0
        for (const due of repo.takeScheduled(now)) {
          const post = livePost(due.postId, now) as { categories: Array<{ id: number }>, tags: Array<{ id: number }>, author: { id: number }, authors?: Array<{ id: number }> } | null
          if (post === null) continue
          const links = { authorId: post.author.id, authorIds: post.authors?.map((a) => a.id), categoryIds: post.categories.map((c) => c.id), tagIds: post.tags.map((t) => t.id) }
          // Public before this post went live: another post had gone live before it (the same
          // millisecond counts as with it).
          for (const kind of TERM_KINDS) {
            const appeared = [...termIds(kind, links)].filter((id) => !visibility.hasLivePost(kind, id, due.dueAt - 1, due.postId))
            for (const id of topDown(appeared)) queued += termAppeared(kind, id, now)
          }
          queued += publish('post.published', () => ({ post }), now)
        }
        // Scheduled pages: page.published once each (the row is taken), if live by then.
        for (const due of repo.takeScheduledPages(now)) queued += publish('page.published', () => livePage(due.pageId, now), now)
        return queued
      })
    },

    /** Whether deliveries were queued since the last call (a hint to wake the worker). */
    takeEnqueued (): boolean {
      const was = enqueued
      enqueued = false
      return was
    }
  }
}
export type WebhookEvents = ReturnType<typeof createWebhookEvents>
