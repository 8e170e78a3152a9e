import type { Corpus } from './corpus.js'
import { call, storyHtml } from './http.js'
import { ms, percentile } from './random.js'

export interface Timing { n: number, errors: number, p50_ms: number, p99_ms: number, max_ms: number }

export function timing (samples: number[], errors: number): Timing {
  return { n: samples.length, errors, p50_ms: ms(percentile(samples, 50)), p99_ms: ms(percentile(samples, 99)), max_ms: ms(percentile(samples, 100)) }
}

export interface WriteTimings {
  create_post: Timing
  edit_post: Timing
  submit_comment: Timing
  approve_comment: Timing
}

/** A new published post as an editor's tool sends it: a full article, a category and tags. */
export function newPost (corpus: Corpus, n: number, label: string): Record<string, unknown> {
  const cat = corpus.categories[n % corpus.categories.length]
  const tags = [0, 1, 2].map((k) => corpus.tags[(n * 7 + k * 13) % corpus.tags.length].id)
  return {
    title: `${label} ${n}: council vote on housing and transport`,
    author_id: corpus.authors[n % corpus.authors.length].id,
    content_html: storyHtml(n),
    status: 'published',
    category_ids: cat === undefined ? [] : [cat.id],
    tag_ids: [...new Set(tags)]
  }
}

/**
 * Sequential writes through the HTTP API, one at a time, each timed from the request to the
 * last byte of its answer (the client's own cost, a fraction of a millisecond on 127.0.0.1,
 * included): create a published post, edit its body, submit a comment on it and approve it.
 * The first `warmup` of each are not counted (JIT). It writes only to posts it creates, and
 * deletes them (with their comments) at the end, so the corpus stays as it was.
 */
export async function writePass (base: string, corpus: Corpus, count: number, warmup = 10): Promise<WriteTimings> {
  const created: number[] = []
  const samples = { create: [] as number[], edit: [] as number[], submit: [] as number[], approve: [] as number[] }
  const errors = { create: 0, edit: 0, submit: 0, approve: 0 }
  const runId = Date.now().toString(36)
  try {
    for (let i = 0; i < warmup + count; i++) {
      const counted = i >= warmup
      const post = await call(base, 'POST', '/v1/posts', { admin: true, body: newPost(corpus, i, `Bench write ${runId}`) })
      if (post.status !== 201) { errors.create++; continue }
      if (counted) samples.create.push(post.ms)
      const id = post.body.data.id as number
      created.push(id)
      const edit = await call(base, 'PATCH', `/v1/posts/${id}`, { admin: true, body: { title: `Bench write ${runId} ${i}, updated`, content_html: storyHtml(i + 1_000_000) } })
      if (edit.status !== 200) errors.edit++
      else if (counted) samples.edit.push(edit.ms)
      const submit = await call(base, 'POST', `/v1/posts/${id}/comments`, { body: { author_name: 'Bench reader', author_email: `reader-${i}@example.com`, content: `Bench comment ${runId} ${i}` } })
      if (submit.status !== 201) { errors.submit++; continue }
      if (counted) samples.submit.push(submit.ms)
      const approve = await call(base, 'PATCH', `/v1/comments/${submit.body.data.id as number}`, { admin: true, body: { status: 'approved' } })
      if (approve.status !== 200) errors.approve++
      else if (counted) samples.approve.push(approve.ms)
    }
  } finally {
    for (const id of created) await call(base, 'DELETE', `/v1/posts/${id}`, { admin: true }).catch(() => undefined)
  }
  return {
    create_post: timing(samples.create, errors.create),
    edit_post: timing(samples.edit, errors.edit),
    submit_comment: timing(samples.submit, errors.submit),
    approve_comment: timing(samples.approve, errors.approve)
  }
}
