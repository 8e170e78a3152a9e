import { randomBytes } from 'node:crypto'
import { NotFound, PreviewNotFound } from '../../errors.js'
import { hashKey } from '../../lib/key-hash.js'
import { parseRef } from '../../lib/refs.js'
import type { EngineWrite } from '../../db/engine-write.js'
import type { PostsRepository } from '../posts/posts-repository.js'
import type { PostsService } from '../posts/posts-service.js'
import { withSeo, type PostSeoRepository } from '../posts/posts-seo.js'
import type { RelatedService } from '../related/related-service.js'
import type { CommentsRepository } from '../comments/comments-repository.js'
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

/** A value, or a Promise of it: the posts' reads are synchronous SQLite until posts are ported. */
type Answer<T> = T | Promise<T>
type MaybeAsync<F extends (...args: never[]) => unknown> = (...args: Parameters<F>) => Answer<ReturnType<F>>

export interface PreviewsServiceDeps {
  repo: PreviewsRepository
  /** The engine-neutral writer (src/db/engine-write.ts): links are made and revoked in its transactions. */
  write: EngineWrite
  /** Any post by id or slug, whatever its status (today the synchronous SQLite posts repository). */
  postsRepo: { findByRef: MaybeAsync<PostsRepository['findByRef']> }
  /** The single-post read: the same shape as GET /v1/posts/{ref} (today synchronous, on SQLite). */
  posts: { get: MaybeAsync<PostsService['get']> }
  related: { pageFor: MaybeAsync<RelatedService['pageFor']> }
  /** The public thread, on either engine (the engine-neutral comments repository). */
  comments: Pick<CommentsRepository, 'publicThread'>
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
  async function postIdOf (refText: string, now: number): Promise<number> {
    const ref = parseRef(refText)
    const row = ref === null ? undefined : await deps.postsRepo.findByRef(ref, 'any', now)
    if (row === undefined) throw new NotFound('Post', JSON.stringify(refText))
    return row.id
  }

  /** The post a token opens now, or the one 404 for every other token. */
  async function open (token: string, now: number): Promise<number> {
    // Hash and look up first, whatever the token looks like, then judge: the same work for all.
    const found = await repo.findLive(hashKey(token), now)
    if (found === undefined || !PREVIEW_TOKEN_PATTERN.test(token)) throw new PreviewNotFound()
    return found.postId
  }

  return {
    /** A new link to a post (any status) for `expiresIn` seconds; the token is shown only here. */
    async create (refText: string, expiresIn: number = PREVIEW_TTL.default, now = Date.now()) {
      const postId = await postIdOf(refText, now)
      const token = generatePreviewToken()
      const hash = hashKey(token)
      // No change emitted: a link is private (no invalidation, change log entry or webhook).
      const row = await deps.write(async (tx) => await repo.create(tx, postId, hash, now + expiresIn * 1000, now))
      // Deleted since it was looked up: as if it had not been found.
      if (row === undefined) throw new NotFound('Post', JSON.stringify(refText))
      return {
        token,
        expires_at: new Date(row.expiresAt).toISOString(),
        preview_url: deps.urlTemplate.replaceAll('{token}', encodeURIComponent(token))
      }
    },

    /** Revokes every link of a post; answers how many there were. */
    async revokeAll (refText: string, now = Date.now()): Promise<number> {
      const postId = await postIdOf(refText, now)
      return await deps.write(async (tx) => await repo.revokeAll(tx, postId))
    },

    /** The post as it is now, in the single-post shape, marked as a preview. */
    async post (token: string, now = Date.now()) {
      const postId = await open(token, now)
      const post = await deps.posts.get(String(postId), 'any', now)
      return { ...(deps.seo === undefined ? post : withSeo(post, deps.seo.get(postId))), preview: true as const }
    },

    /** The live posts related to the previewed one (the same scoring as GET /v1/posts/{ref}/related). */
    async related (token: string, limit: number, now = Date.now()) {
      const postId = await open(token, now)
      const row = await deps.postsRepo.findByRef({ id: postId }, 'any', now)
      // Deleted between the two reads: its links went with it.
      if (row === undefined) throw new PreviewNotFound()
      return await deps.related.pageFor(row, limit, now)
    },

    /** The previewed post's visible comment thread, in thread order (usually empty for a draft). */
    async comments (token: string, now = Date.now()): Promise<PublicComment[]> {
      const postId = await open(token, now)
      return visibleThread(await deps.comments.publicThread(postId)).map(toPublicComment)
    }
  }
}
export type PreviewsService = ReturnType<typeof createPreviewsService>
