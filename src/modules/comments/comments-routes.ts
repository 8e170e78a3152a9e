import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import formbody from '@fastify/formbody'
import { Type } from 'typebox'
import { IdParamsSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import { parseRef } from '../../lib/refs.js'
import { NotFound, RateLimited, withHeaders } from '../../errors.js'
import { dedupe, validationProblems, type FieldProblem } from '../../lib/field-problems.js'
import { createWindowLimit } from '../../lib/window-limit.js'
import { grantsScope } from '../../lib/scopes.js'
import { contentHash } from '../../lib/content-hash.js'
import { postKey } from '../cache-keys.js'
import { postUrl } from '../posts/posts-mapper.js'
import type { PostsRepository } from '../posts/posts-repository.js'
import type { PostsService } from '../posts/posts-service.js'
import type { SiteRepository } from '../site/site-repository.js'
import type { CommentsRepository } from './comments-repository.js'
import type { CommentsService } from './comments-service.js'
import { toPublicComment, visibleThread, toComment, toSubmittedComment, statusForSubmitter } from './comments-mapper.js'
import type { StoredComment } from './comments-documents-repository.js'
import { CreateCommentBody, ListCommentsQuery, UpdateCommentBody } from './comments-schemas.js'

export interface CommentsRoutesOptions {
  repo: CommentsRepository
  service: CommentsService
  /** Live posts by reference (a 404 otherwise). */
  posts: Pick<PostsService, 'requireLive' | 'requireLiveId'>
  /** Any post by reference, and a post's primary category for its URL. */
  postsRepo: Pick<PostsRepository, 'findByRef' | 'categoriesOf'>
  site: SiteRepository
  /** Comments one client may post per minute. */
  rateLimit: number
  siteUrl: string
  /** The read model's stored public comments (comments-documents.ts): a post's thread, or null to read the rows. */
  documents?: { thread: (postId: number) => Promise<StoredComment[] | null> }
}

/** Whether the client prefers an HTML page (a browser's form post) to JSON. */
function wantsHtml (accept: string | undefined): boolean {
  return /text\/html/.test(accept ?? '') && !/application\/json/.test(accept ?? '')
}

/** Public comment threads and submission, and the moderation API. */
const commentsRoutes: FastifyPluginAsyncTypebox<CommentsRoutesOptions> = async (app, opts) => {
  const { repo, service } = opts
  // HTML forms post application/x-www-form-urlencoded; only this module accepts them.
  await app.register(formbody, { bodyLimit: 64 * 1024 })
  // Counts stored submissions only (honeypot hits are stored, as spam), checked after
  // validation: a reader who fixes a rejected form is never locked out by their own mistakes.
  const limiter = createWindowLimit(opts.rateLimit, 60_000)

  /** The live post a browser's form was posted to, or undefined for any other request. */
  function formPost (request: FastifyRequest): { slug: string, id: number } | undefined {
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    if (!isForm || !wantsHtml(request.headers.accept)) return undefined
    const ref = parseRef((request.params as { ref?: string }).ref ?? '')
    const post = ref && opts.postsRepo.findByRef(ref, 'public', Date.now())
    return post ? { slug: post.slug, id: post.id } : undefined
  }

  function pageOfPost (post: { slug: string, id: number }): string {
    return postUrl(opts.siteUrl, post.slug, opts.postsRepo.categoriesOf([post.id])[0]?.slug)
  }

  app.get('/posts/:ref/comments', {
    config: { publicCache: true },
    schema: {
      operationId: 'listPostComments',
      tags: ['Comments'],
      summary: 'List the approved comments of a post',
      description: 'Thread order: each reply comes right after its parent (and the parent\'s earlier replies), with `parent_id` and `depth` for indentation. ' +
        'Pages cut the thread in that order. Only approved comments of live posts; never an e-mail. A deleted comment with visible replies stays as a placeholder (`deleted: true`).',
      params: RefParamsSchema,
      querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
      response: { 200: listOf(Type.Ref('PublicComment')), ...problemResponses(400, 404) }
    }
  }, async (request, reply) => {
    // Only the post's id: its row (and body) is not read.
    const post = { id: opts.posts.requireLiveId(request.params.ref) }
    reply.cacheKeys([postKey(post.id)])
    const page = pageOf(request.query)
    const stored = (await opts.documents?.thread(post.id)) ?? null
    if (stored !== null) {
      // Stored public JSON of each comment, put together as text; which ones show follows the
      // same rule as from the rows.
      const shown = visibleThread(stored.map((c) => ({ id: c.id, parentId: c.parentId, deletedAt: c.deleted ? 1 : null, json: c.json, hash: c.hash })))
      const { meta } = listPage(reply, request.url, { ...page, total: shown.length }, [])
      const slice = shown.slice(page.offset, page.offset + page.perPage)
      const metaJson = JSON.stringify(meta)
      const text = `{"data":[${slice.map((c) => c.json).join(',')}],"meta":${metaJson}}`
      // The answer is its meta and the comments shown, in order: its ETag is a hash of those
      // comments' stored hashes, not of the body ('c': this answer's format).
      reply.cacheEtag(`c${contentHash(metaJson, ...slice.map((c) => c.hash))}`)
      // A JSON string is sent as it is (Fastify serializes only objects); the typed reply knows only the object form.
      return reply.type('application/json; charset=utf-8').send(text as unknown as { data: unknown[], meta: unknown })
    }
    const thread = visibleThread(await repo.publicThread(post.id))
    return listPage(reply, request.url, { ...page, total: thread.length }, thread.slice(page.offset, page.offset + page.perPage).map(toPublicComment))
  })

  app.post('/posts/:ref/comments', {
    config: { public: true },
    // Optional fields left empty in an HTML form arrive as "": treat them as absent.
    preValidation: async (request) => {
      const body = request.body as Record<string, unknown> | undefined
      if (body && typeof body === 'object') {
        for (const key of ['author_url', 'parent_id']) if (body[key] === '') delete body[key]
        // Form values are text; JSON bodies are validated as sent.
        if (typeof body.parent_id === 'string' && /^\d{1,15}$/.test(body.parent_id)) body.parent_id = Number(body.parent_id)
      }
    },
    schema: {
      operationId: 'createPostComment',
      tags: ['Comments'],
      summary: 'Post a comment',
      description: 'For readers, no key needed. JSON or an HTML form (`application/x-www-form-urlencoded`). ' +
        'Answers 201 with the comment and its status as the submitter may know it: `approved` when the site approves every comment ' +
        '(moderation `none`), else `pending` — also when moderation `first_time` approved it because the same name and e-mail have an approved ' +
        'comment (a comment with links always waits), so the answer never tells whether an address has commented before. ' +
        'The 201 carries `Location: /v1/comments/{id}` (publicly readable) only when the comment is already approved. ' +
        'A form post from a browser (Accept: text/html) is answered with 303 to the post\'s page on the frontend instead (`?comment=` the same status, `#comment-{id}`), ' +
        'and so is every refusal of such a post (400, 403, 409, 422, 429): 303 to the post\'s page with `comment_error` (the problem `code`), `comment_message` (its detail), ' +
        '`comment_fields` (the fields at fault, comma-separated) and the fields to fill in again (`author_name`, `author_url`, `content` up to 2,000 characters; never the e-mail), ending `#comment-error`. JSON clients get problem+json. ' +
        'Spam defences: the `website` honeypot, a link limit (site setting), duplicate detection (409), a per-client rate limit counting stored submissions only ' +
        '(429 with Retry-After and RateLimit headers; a refused submission does not count), length limits, the reply depth limit (422). Comments closed: 403; post not live: 404.',
      params: RefParamsSchema,
      body: CreateCommentBody,
      consumes: ['application/json', 'application/x-www-form-urlencoded'],
      response: {
        201: Type.Object({ data: Type.Ref('SubmittedComment') }, { description: 'Stored; `status` is `approved` only when the site approves every comment' }),
        303: Type.Null({ description: 'HTML form posts, stored or refused: see the post page (no body)' }),
        ...problemResponses(400, 403, 404, 409, 413, 415, 422, 429)
      }
    },
    // A browser's form post that is refused goes back to the post page with the reason and
    // what to fill in again; anything else (JSON clients, a post that is not live) falls
    // through to the problem+json answer of the problem-details plugin.
    errorHandler: (error: FastifyError & { errors?: FieldProblem[] }, request, reply) => {
      const status = error.statusCode ?? 500
      const post = status >= 400 && status < 500 && status !== 404 ? formPost(request) : undefined
      if (post === undefined) throw error
      const fields = error.validation ? dedupe(validationProblems(error)) : (error.errors ?? [])
      const body = (request.body ?? {}) as Record<string, unknown>
      const keep = new URLSearchParams({ comment_error: error.validation ? 'VALIDATION_FAILED' : (error.code ?? 'BAD_REQUEST'), comment_message: error.message.slice(0, 300) })
      if (fields.length > 0) keep.set('comment_fields', fields.map((f) => f.path).join(','))
      for (const name of ['author_name', 'author_url', 'content']) {
        const value = body[name]
        if (typeof value === 'string' && value !== '' && value.length <= 2000) keep.set(name, value)
      }
      if (typeof body.parent_id === 'number' || typeof body.parent_id === 'string') keep.set('replyto', String(body.parent_id))
      if (error instanceof Error && 'headers' in error && typeof error.headers === 'object' && error.headers !== null) {
        const retry = (error.headers as Record<string, string>)['retry-after']
        if (retry !== undefined) reply.header('retry-after', retry)
      }
      void (reply as FastifyReply).code(303).header('cache-control', 'no-store').header('location', `${pageOfPost(post)}?${keep.toString()}#comment-error`).send()
    }
  }, async (request, reply) => {
    const verdict = limiter.check(request.ip)
    if (!verdict.allowed) {
      throw withHeaders(new RateLimited(verdict.limit, verdict.resetSeconds), {
        'retry-after': String(verdict.resetSeconds),
        'ratelimit-limit': String(verdict.limit),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(verdict.resetSeconds)
      })
    }
    const post = opts.posts.requireLive(request.params.ref)
    const site = opts.site.get()
    const row = await service.submit({ id: post.id, open: post.commentStatus === 'open' }, site, { ...request.body, clientAddress: request.ip, userAgent: request.headers['user-agent'] })
    limiter.hit(request.ip)
    const after = limiter.check(request.ip)
    reply.headers({ 'ratelimit-limit': String(after.limit), 'ratelimit-remaining': String(after.allowed ? after.remaining + 1 : 0), 'ratelimit-reset': String(after.resetSeconds) })
    const shown = statusForSubmitter(row, site.commentModeration)
    const form = formPost(request)
    if (form !== undefined) {
      return (reply as FastifyReply).code(303).header('location', `${pageOfPost(form)}?comment=${shown}#comment-${row.id}`).send()
    }
    // Only an approved comment can be read back by its submitter (GET /v1/comments/{id} is
    // public for approved comments); a pending one has no URL they may open.
    if (row.status === 'approved' && shown === 'approved') reply.header('location', `/v1/comments/${row.id}`)
    return reply.code(201).send({ data: toSubmittedComment(row, shown) })
  })

  app.get('/comments', {
    config: { scope: 'moderate:comments' },
    schema: {
      operationId: 'listComments',
      tags: ['Comments'],
      summary: 'List comments for moderation',
      description: 'Needs `moderate:comments`. Pending comments, newest first, by default; filter by `status` and `post`. Moderators see the e-mail.',
      querystring: ListCommentsQuery,
      response: { 200: listOf(Type.Ref('Comment')), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const page = pageOf(request.query, 20)
    const status = request.query.status === 'any' ? undefined : (request.query.status ?? 'pending')
    let postId: number | undefined
    if (request.query.post !== undefined) {
      const ref = parseRef(request.query.post)
      // A moderator without read:drafts may name a live post, or by id a post whose comments
      // it already sees (they carry post_id); any other post is "not found", so the answer
      // never tells whether a draft with that slug or id exists.
      const mayReadDrafts = grantsScope(request.auth?.scopes, 'read:drafts')
      const post = ref && opts.postsRepo.findByRef(ref, mayReadDrafts ? 'any' : 'public', Date.now())
      if (post) postId = post.id
      else if (!mayReadDrafts && ref?.id !== undefined && await repo.count({ postId: ref.id }) > 0) postId = ref.id
      else throw new NotFound('Post', JSON.stringify(request.query.post))
    }
    const total = await repo.count({ status, postId })
    return listPage(reply, request.url, { ...page, total }, (await repo.list({ status, postId }, page.perPage, page.offset)).map(toComment))
  })

  app.get('/comments/:id', {
    config: { publicCache: true },
    schema: {
      operationId: 'getComment',
      tags: ['Comments'],
      summary: 'Get a comment',
      description: 'Public for an approved comment on a live post (the `PublicComment` shape, as in threads), so a change-log mirror can fetch the comment entries it reads. ' +
        'With `moderate:comments`, any comment in the moderator\'s shape (`Comment`, with e-mail and status). Anything else — pending, spam, trash, a deleted comment, a post that is not live — is a 404 to the public.',
      params: IdParamsSchema,
      response: { 200: Type.Object({ data: Type.Union([Type.Ref('Comment'), Type.Ref('PublicComment')]) }), ...problemResponses(400, 401, 404) }
    }
  }, async (request, reply) => {
    const row = await repo.findById(request.params.id)
    if (row !== undefined && grantsScope(request.auth?.scopes, 'moderate:comments')) return { data: toComment(row) }
    const live = row !== undefined && row.status === 'approved' && row.deletedAt === null &&
      opts.postsRepo.findByRef({ id: row.postId }, 'public', Date.now()) !== undefined
    if (!live) throw new NotFound('Comment', String(request.params.id))
    reply.cacheKeys([postKey(row.postId)])
    return { data: toPublicComment(row) }
  })

  app.patch('/comments/:id', {
    config: { scope: 'moderate:comments' },
    schema: {
      operationId: 'updateComment',
      tags: ['Comments'],
      summary: 'Moderate a comment',
      description: 'Needs `moderate:comments`. Set `status` (approved, pending, spam, trash) and/or replace `content`. comment_count of the post follows at once.',
      params: IdParamsSchema,
      body: UpdateCommentBody,
      response: { 200: Type.Object({ data: Type.Ref('Comment') }), ...problemResponses(400, 401, 403, 404, 415, 422) }
    }
  }, async (request) => ({ data: toComment(await service.update(request.params.id, request.body)) }))

  app.delete('/comments/:id', {
    config: { scope: 'moderate:comments' },
    schema: {
      operationId: 'deleteComment',
      tags: ['Comments'],
      summary: 'Delete a comment',
      description: 'Needs `moderate:comments`. A comment with replies is kept as a placeholder without author or text, so the replies stay in the thread; otherwise it is removed.',
      params: IdParamsSchema,
      response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    await service.remove(request.params.id)
    return reply.code(204).send(null)
  })
}
export default commentsRoutes
