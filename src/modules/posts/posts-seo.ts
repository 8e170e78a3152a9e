import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { postSeo } from '../../db/schema.js'
import { computeSeo, seoErrors, seoFieldsOf, type SeoFields } from '../../lib/seo.js'
import { FieldError } from '../../errors.js'

// The SEO and social fields of posts, kept in their own table (post_seo, one row for a post
// that has any) and shown on single reads with the computed `seo` object.

type SeoInput = Partial<{ [K in keyof SeoFields]: SeoFields[K] | null }>

const NONE: SeoFields = {
  meta_title: null,
  meta_description: null,
  og_title: null,
  og_description: null,
  og_image: null,
  twitter_title: null,
  twitter_description: null,
  twitter_image: null,
  noindex: false
}
const FIELDS = Object.keys(NONE) as Array<keyof SeoFields>

/** Whether a write body names any SEO field. */
export function hasSeo (input: object): boolean {
  return FIELDS.some((f) => f in input && (input as Record<string, unknown>)[f] !== undefined)
}

/** The 422 of a write whose SEO fields break their limits (lib/seo.ts). */
export function checkPostSeo (input: object): void {
  const errors = seoErrors(input as Record<string, unknown>)
  if (errors.length > 0) throw new FieldError(errors, 422)
}

export function createPostSeoRepository (db: Db) {
  const byId = db.select().from(postSeo).where(eq(postSeo.postId, sql.placeholder('id'))).prepare()
  return {
    /** The post's fields as the API names them (all null, noindex false, when it has none). */
    get (postId: number): SeoFields {
      const row = byId.get({ id: postId })
      if (row === undefined) return { ...NONE }
      return seoFieldsOf(row)
    },
    /** Merges the fields a write names into the post's row; call inside its transaction. */
    save (postId: number, input: SeoInput): void {
      const next = { ...this.get(postId) }
      for (const f of FIELDS) {
        const value = input[f]
        if (value === undefined) continue
        if (f === 'noindex') next.noindex = value === true
        else (next as Record<string, unknown>)[f] = value === '' ? null : value
      }
      const values = {
        metaTitle: next.meta_title,
        metaDescription: next.meta_description,
        ogTitle: next.og_title,
        ogDescription: next.og_description,
        ogImage: next.og_image,
        twitterTitle: next.twitter_title,
        twitterDescription: next.twitter_description,
        twitterImage: next.twitter_image,
        noindex: next.noindex
      }
      db.insert(postSeo).values({ postId, ...values }).onConflictDoUpdate({ target: postSeo.postId, set: values }).run()
    }
  }
}
export type PostSeoRepository = ReturnType<typeof createPostSeoRepository>

/** A post as the API shows it, with its SEO fields and the computed `seo` object. */
export function withSeo<P extends { title?: string, excerpt?: string, url?: string, canonical_url?: string | null, featured_image?: unknown }> (post: P, fields: SeoFields) {
  const url = post.url ?? ''
  return {
    ...post,
    ...fields,
    seo: computeSeo(fields, {
      title: post.title ?? '',
      excerpt: post.excerpt ?? '',
      url,
      // The post's canonical_url is already its url when none was written.
      canonicalUrl: post.canonical_url ?? null,
      // An external image ({ url, alt }) or a library one ({ url, width, srcset… }).
      featuredImage: imageUrl(post.featured_image),
      type: 'article'
    })
  }
}

function imageUrl (image: unknown): string | null {
  if (image === null || typeof image !== 'object') return null
  const url = (image as { url?: unknown }).url
  return typeof url === 'string' ? url : null
}
