import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import { Type } from 'typebox'
import { IdParamsSchema, PageQuery, listOf, problemResponses, RefParamsSchema } from '../../schemas/common.js'
import { listPage, pageOf } from '../../lib/pagination.js'
import { parseRef } from '../../lib/refs.js'
import { NotFound } from '../../errors.js'
import { grantsScope } from '../../lib/scopes.js'
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
  posts: Pick<PostsService, 'requireLive'>
  /** Any post by reference, and a post's primary category for its URL. */
  postsRepo: Pick<PostsRepository, 'findByRef' | 'categoriesOf'>
  site: SiteRepository
  /** Comments one client may post per minute. */
  rateLimit: number
  siteUrl: string
  /** The read model's stored public comments (comments-documents.ts): a post's thread, or null to read the rows. */
  documents?: { thread: (postId: number) => StoredComment[] | null }
}

/** Public comment threads and submission, and the moderation API. */
const commentsRoutes: FastifyPluginAsyncTypebox<CommentsRoutesOptions> = async (app, opts) => {
  const { repo, service } = opts
  // HTML forms post application/x-www-form-urlencoded; only this module accepts them.
  await app.register(formbody, { bodyLimit: 64 * 1024 })
  await app.register(rateLimit, {
    global: false,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) => Object.assign(
      new Error(`Too many comments from this client: at most ${context.max} per minute; retry in ${context.after}`),
      { statusCode: 429, code: 'RATE_LIMITED' }
    )
  })

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
    const post = opts.posts.requireLive(request.params.ref)
    reply.cacheKeys([postKey(post.id)])
    const page = pageOf(request.query)
    const stored = opts.documents?.thread(post.id) ?? null
    if (stored !== null) {
      // Stored public JSON of each comment, put together as text; which ones show follows the
      // same rule as from the rows.
      const shown = visibleThread(stored.map((c) => ({ id: c.id, parentId: c.parentId, deletedAt: c.deleted ? 1 : null, json: c.json })))
      const { meta } = listPage(reply, request.url, { ...page, total: shown.length }, [])
      const text = `{"data":[${shown.slice(page.offset, page.offset + page.perPage).map((c) => c.json).join(',')}],"meta":${JSON.stringify(meta)}}`
      // A JSON string is sent as it is (Fastify serializes only objects); the typed reply knows only the object form.
      return reply.type('application/json; charset=utf-8').send(text as unknown as { data: unknown[], meta: unknown })
    }
    const thread = visibleThread(repo.publicThread(post.id))
    return listPage(reply, request.url, { ...page, total: thread.length }, thread.slice(page.offset, page.offset + page.perPage).map(toPublicComment))
  })

  app.post('/posts/:ref/comments', {
    config: { public: true, rateLimit: { max: opts.rateLimit, timeWindow: 60_000 } },
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
        'A form post from a browser (Accept: text/html) is answered with 303 to the post\'s page on the frontend instead (`?comment=` the same status). ' +
        'Spam defences: the `website` honeypot, a link limit (site setting), duplicate detection (409), a per-client rate limit (429 with Retry-After and RateLimit headers), length limits, the reply depth limit (422). Comments closed: 403; post not live: 404.',
      params: RefParamsSchema,
      body: CreateCommentBody,
      consumes: ['application/json', 'application/x-www-form-urlencoded'],
      response: {
        201: Type.Object({ data: Type.Ref('SubmittedComment') }, { description: 'Stored; `status` is `approved` only when the site approves every comment' }),
        303: Type.Null({ description: 'HTML form posts: see the post page' }),
        ...problemResponses(400, 403, 404, 409, 413, 415, 422, 429)
      }
    }
  }, async (request, reply) => {
    const post = opts.posts.requireLive(request.params.ref)
    const site = opts.site.get()
    const row = service.submit({ id: post.id, open: post.commentStatus === 'open' }, site, { ...request.body, clientAddress: request.ip, userAgent: request.headers['user-agent'] })
    const shown = statusForSubmitter(row, site.commentModeration)
    const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    const wantsHtml = /text\/html/.test(request.headers.accept ?? '') && !/application\/json/.test(request.headers.accept ?? '')
    if (isForm && wantsHtml) {
      const primary = opts.postsRepo.categoriesOf([post.id])[0]?.slug
      return reply.code(303).header('location', `${postUrl(opts.siteUrl, post.slug, primary)}?comment=${shown}#comment-${row.id}`).send(null)
    }
    reply.code(201).header('location', `/v1/comments/${row.id}`)
    return { data: toSubmittedComment(row, shown) }
  })

  app.get('/comments', {
    config: { scope: 'moderate:comments' },
    schema: {
      operationId: 'listComments',
      tags: ['Comments'],
      summary: 'The moderation queue',
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
      else if (!mayReadDrafts && ref?.id !== undefined && repo.count({ postId: ref.id }) > 0) postId = ref.id
      else throw new NotFound('Post', JSON.stringify(request.query.post))
    }
    const total = repo.count({ status, postId })
    return listPage(reply, request.url, { ...page, total }, repo.list({ status, postId }, page.perPage, page.offset).map(toComment))
  })

  app.get('/comments/:id', {
    config: { scope: 'moderate:comments' },
    schema: {
      operationId: 'getComment',
      tags: ['Comments'],
      summary: 'Get a comment (moderation)',
      params: IdParamsSchema,
      response: { 200: Type.Object({ data: Type.Ref('Comment') }), ...problemResponses(400, 401, 403, 404) }
    }
  }, async (request) => {
    const row = repo.findById(request.params.id)
    if (row === undefined) throw new NotFound('Comment', String(request.params.id))
    return { data: toComment(row) }
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
  }, async (request) => ({ data: toComment(service.update(request.params.id, request.body)) }))

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
    service.remove(request.params.id)
    return reply.code(204).send(null)
  })
}
export default commentsRoutes
