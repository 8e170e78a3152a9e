import { randomUUID } from 'node:crypto'
import { isLive, isScheduled, type ContentChange, type PostState } from '../../db/change-bus.js'
import type { PostsRepository } from '../posts/posts-repository.js'
import type { PostsService } from '../posts/posts-service.js'
import { toPost } from '../posts/posts-mapper.js'
import { withSeo, type PostSeoRepository } from '../posts/posts-seo.js'
import type { CommentsRepository } from '../comments/comments-repository.js'
import { toSubmittedComment } from '../comments/comments-mapper.js'
import type { PagesService } from '../pages/pages-service.js'
import { toPage } from '../pages/pages-mapper.js'
import type { WebhookEvent, WebhooksRepository } from './webhooks-repository.js'

type PostChange = Extract<ContentChange, { kind: 'post' }>
type CommentChange = Extract<ContentChange, { kind: 'comment' }>
type PageChange = Extract<ContentChange, { kind: 'page' }>

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

/**
 * Turns content changes into queued webhook deliveries. `listener` runs on the change bus
 * inside each write's transaction, so a delivery is queued exactly when its change commits
 * and never lost. A scheduled post gets a `scheduled_events` row (replaced on every write of
 * the post) that `promoteDue` turns into post.published deliveries once its time has come.
 */
export function createWebhookEvents (deps: {
  repo: WebhooksRepository
  posts: Pick<PostsRepository, 'findByRef'>
  /** The categories, tags and author a post payload carries. */
  relations: Pick<PostsService, 'relationsOf'>
  comments: Pick<CommentsRepository, 'findById'>
  /** The page payloads: a page as the public sees it inside the write. */
  pages?: Pick<PagesService, 'findLiveFresh'>
  /** The SEO fields a post payload carries, as a single read shows them. */
  seo?: Pick<PostSeoRepository, 'get'>
  siteUrl: string
}) {
  const { repo, posts, relations, comments, pages, seo, siteUrl } = deps
  let enqueued = false

  function publish (event: WebhookEvent, data: () => Record<string, unknown> | null, now: number): number {
    const subscribers = repo.subscribers(event)
    if (subscribers.length === 0) return 0
    const body = data()
    if (body === null) return 0
    const createdAt = new Date(now).toISOString()
    for (const webhookId of subscribers) {
      const id = randomUUID()
      repo.enqueue(id, webhookId, event, JSON.stringify({ id, event, created_at: createdAt, data: body }), now)
    }
    enqueued = true
    return subscribers.length
  }

  function livePost (id: number, now: number): Record<string, unknown> | null {
    const row = posts.findByRef({ id }, 'public', now)
    if (row === undefined) return null
    const post = toPost(row, relations.relationsOf([row]), siteUrl, now)
    return seo === undefined ? post : withSeo(post, seo.get(id))
  }

  function onPost (change: PostChange, now: number): void {
    repo.reschedule(change.id, isScheduled(change.after, now) ? change.after!.publishedAt : null)
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
  }

  // As posts, by the page's own state; a page under a parent that is not live sends no body
  // (the public cannot read it), and a scheduled page's go-live sends nothing yet.
  function onPage (change: PageChange, now: number): void {
    const kind = postEvent({ ...change, kind: 'post' }, now)
    if (kind === null || pages === undefined) return
    const event = kind.replace('post.', 'page.') as WebhookEvent
    if (event === 'page.published' || event === 'page.updated') {
      publish(event, () => {
        const found = pages.findLiveFresh(change.id, now)
        return found === undefined ? null : { page: toPage(found.row, found.path, siteUrl, now) }
      }, now)
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

  return {
    /** The change-bus listener; runs inside the write's transaction. */
    listener (change: ContentChange, now: number): void {
      if (change.kind === 'post') onPost(change, now)
      else if (change.kind === 'comment') onComment(change, now)
      else if (change.kind === 'page') onPage(change, now)
    },

    /** Queues post.published for scheduled posts whose time has come; returns the deliveries queued. */
    promoteDue (now: number): number {
      return repo.transaction(() => {
        let queued = 0
        for (const due of repo.takeScheduled(now)) {
          queued += publish('post.published', () => {
            const post = livePost(due.postId, now)
            return post && { post }
          }, now)
        }
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
