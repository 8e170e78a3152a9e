import { randomBytes } from 'node:crypto'
import { NotFound, PreviewNotFound } from '../../errors.js'
import { hashKey } from '../../lib/key-hash.js'
import { parseRef } from '../../lib/refs.js'
import type { PostsRepository } from '../posts/posts-repository.js'
import type { PostsService } from '../posts/posts-service.js'
import { withSeo, type PostSeoRepository } from '../posts/posts-seo.js'
import type { RelatedService } from '../related/related-service.js'
import type { CommentsSyncRepository } from '../comments/comments-repository.js'
import { toPublicComment, visibleThread } from '../comments/comments-mapper.js'
import type { PublicComment } from '../comments/comments-schemas.js'
import type { PreviewsRepository } from './previews-repository.js'

/** `pv_` and 43 base64url characters: 256 random bits. */
export const PREVIEW_TOKEN_PATTERN = /^pv_[A-Za-z0-9_-]{43}$/

/** A new preview token: 256 bits from the system's CSPRNG, so it cannot be guessed. */
export function generatePreviewToken (): string {
  return `pv_${randomBytes(32).toString('base64url')}`
}

/** How long a link may live, in seconds: one minute to seven days, an hour unless asked. */
export const PREVIEW_TTL = { min: 60, max: 7 * 24 * 3600, default: 3600 } as const

export interface PreviewsServiceDeps {
  repo: PreviewsRepository
  /** Any post by id or slug, whatever its status. */
  postsRepo: Pick<PostsRepository, 'findByRef'>
  /** The single-post read: the same shape as GET /v1/posts/{ref}. */
  posts: Pick<PostsService, 'get'>
  related: Pick<RelatedService, 'pageFor'>
  comments: Pick<CommentsSyncRepository, 'publicThread'>
  /** The post's SEO and social fields, shown on single reads (GET /v1/posts/{ref}) and so here. */
  seo?: PostSeoRepository
  /** PREVIEW_URL_TEMPLATE: where an editor opens the link, `{token}` replaced. */
  urlTemplate: string
}

/**
 * Preview links: made and revoked per post by a key, read by anyone holding the token. A token
 * is stored only as its SHA-256 (lib/key-hash.ts, as API keys are) and read by one lookup of
 * that hash, whatever was sent: an unknown, expired, revoked or malformed token costs one hash
 * and one indexed query and ends in the same 404, so neither the answer nor its timing says
 * which it was, nor anything about the tokens that exist.
 */
export function createPreviewsService (deps: PreviewsServiceDeps) {
  const { repo } = deps

  /** The id of a post for a key's request, any status, by id or slug; 404 otherwise. */
  function postIdOf (refText: string, now: number): number {
    const ref = parseRef(refText)
    const row = ref && deps.postsRepo.findByRef(ref, 'any', now)
    if (!row) throw new NotFound('Post', JSON.stringify(refText))
    return row.id
  }

  /** The post a token opens now, or the one 404 for every other token. */
  function open (token: string, now: number): number {
    // Hash and look up first, whatever the token looks like, then judge: the same work for all.
    const found = repo.findLive(hashKey(token), now)
    if (found === undefined || !PREVIEW_TOKEN_PATTERN.test(token)) throw new PreviewNotFound()
    return found.postId
  }

  return {
    /** A new link to a post (any status) for `expiresIn` seconds; the token is shown only here. */
    create (refText: string, expiresIn: number = PREVIEW_TTL.default, now = Date.now()) {
      const postId = postIdOf(refText, now)
      const token = generatePreviewToken()
      const row = repo.create(postId, hashKey(token), now + expiresIn * 1000, now)
      return {
        token,
        expires_at: new Date(row.expiresAt).toISOString(),
        preview_url: deps.urlTemplate.replaceAll('{token}', encodeURIComponent(token))
      }
    },

    /** Revokes every link of a post; returns how many there were. */
    revokeAll (refText: string, now = Date.now()): number {
      return repo.revokeAll(postIdOf(refText, now))
    },

    /** The post as it is now, in the single-post shape, marked as a preview. */
    post (token: string, now = Date.now()) {
      const postId = open(token, now)
      const post = deps.posts.get(String(postId), 'any', now)
      return { ...(deps.seo === undefined ? post : withSeo(post, deps.seo.get(postId))), preview: true as const }
    },

    /** The live posts related to the previewed one (the same scoring as GET /v1/posts/{ref}/related). */
    related (token: string, limit: number, now = Date.now()) {
      const postId = open(token, now)
      const row = deps.postsRepo.findByRef({ id: postId }, 'any', now)
      // Deleted between the two reads: its links went with it.
      if (row === undefined) throw new PreviewNotFound()
      return deps.related.pageFor(row, limit, now)
    },

    /** The previewed post's visible comment thread, in thread order (usually empty for a draft). */
    comments (token: string, now = Date.now()): PublicComment[] {
      const postId = open(token, now)
      return visibleThread(deps.comments.publicThread(postId)).map(toPublicComment)
    }
  }
}
export type PreviewsService = ReturnType<typeof createPreviewsService>
