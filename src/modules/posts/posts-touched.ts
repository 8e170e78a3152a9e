import { sql } from 'drizzle-orm'
import type { ContentChange, PostState } from '../../db/change-bus.js'
import type { EngineTx } from '../../db/engine-port.js'
import * as pgs from '../../db/pg/schema.js'
import { touchPosts } from './posts-repository.js'

/**
 * The changes that re-announce these posts unchanged, in the order given, on either engine:
 * what they embed changed without their own row changing (a term's name, their featured image,
 * their comment count), so the change log, caches and webhooks report them as updated. Posts
 * that no longer exist are left out. Read inside the write (`tx`), as the writes that call it.
 */
export async function touchedPosts (tx: EngineTx, postIds: number[]): Promise<ContentChange[]> {
  if (postIds.length === 0) return []
  if (tx.engine === 'sqlite') {
    const out: ContentChange[] = []
    touchPosts(tx.db, (change) => { out.push(change) }, postIds)
    return out
  }
  const { posts } = pgs
  const found = await tx.db.select({ id: posts.id, slug: posts.slug, status: posts.status, publishedAt: posts.publishedAt }).from(posts)
    .where(sql`${posts.id} = any(${sql.param(postIds)}::int[])`)
  const byPost = new Map(found.map(({ id, ...state }) => [id, state as PostState]))
  return postIds.flatMap((id) => {
    const state = byPost.get(id)
    return state === undefined ? [] : [{ kind: 'post' as const, id, before: state, after: state }]
  })
}
