import type { RelatedResult } from '../../lib/related.js'
import type { PostRow } from '../posts/posts-repository.js'
import { toPost, type PostRelations } from '../posts/posts-mapper.js'
import type { Post } from '../posts/posts-schemas.js'

type TermRef = { id: number, slug: string, name: string }

/** A related post as the API shows it: the post as in lists, its score and why it was chosen. */
export type RelatedPost = Partial<Post> & {
  score: number
  reasons: { shared_tags: TermRef[], shared_categories: TermRef[], text_similarity: number }
}

// Shared ids in the order the scorer gives them (rarest first), as the post embeds them.
function refsOf (ids: number[], terms: TermRef[] | undefined): TermRef[] {
  const out: TermRef[] = []
  for (const id of ids) {
    const ref = terms?.find((t) => t.id === id)
    // Plain references (categories in posts also carry parent_id and path; reasons do not).
    if (ref !== undefined) out.push({ id: ref.id, slug: ref.slug, name: ref.name })
  }
  return out
}

/** Row and score → API related post (list fields, no content_html). */
export function toRelatedPost (row: PostRow, result: RelatedResult, rel: PostRelations, siteUrl: string, now: number): RelatedPost {
  return {
    ...toPost(row, rel, siteUrl, now),
    score: result.score,
    reasons: {
      shared_tags: refsOf(result.reasons.shared_tags, rel.tags.get(row.id)),
      shared_categories: refsOf(result.reasons.shared_categories, rel.categories.get(row.id)),
      text_similarity: result.reasons.text_similarity
    }
  }
}
