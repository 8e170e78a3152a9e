// SEO and social metadata of posts and pages: the fields an editor writes, their limits, and
// the computed `seo` object a frontend renders its head tags from, with every fallback applied.

/** The editable fields, as the API names them; null (or absent) means "use the fallback". */
export interface SeoFields {
  meta_title: string | null
  meta_description: string | null
  og_title: string | null
  og_description: string | null
  og_image: string | null
  twitter_title: string | null
  twitter_description: string | null
  twitter_image: string | null
  noindex: boolean
}

/** The SEO columns of a stored row (posts' post_seo, pages), camel-cased as Drizzle reads them. */
export interface SeoColumns {
  metaTitle: string | null
  metaDescription: string | null
  ogTitle: string | null
  ogDescription: string | null
  ogImage: string | null
  twitterTitle: string | null
  twitterDescription: string | null
  twitterImage: string | null
  noindex: boolean
}

/** A row's SEO columns as the API names them. */
export function seoFieldsOf (row: SeoColumns): SeoFields {
  return {
    meta_title: row.metaTitle,
    meta_description: row.metaDescription,
    og_title: row.ogTitle,
    og_description: row.ogDescription,
    og_image: row.ogImage,
    twitter_title: row.twitterTitle,
    twitter_description: row.twitterDescription,
    twitter_image: row.twitterImage,
    noindex: row.noindex
  }
}

export const SEO_TEXT_FIELDS = ['meta_title', 'meta_description', 'og_title', 'og_description', 'twitter_title', 'twitter_description'] as const
export const SEO_IMAGE_FIELDS = ['og_image', 'twitter_image'] as const

/**
 * The longest value each text field takes (a 422 beyond it). Generous against what search
 * engines and networks show (a title is cut near 60 characters, a description near 160) so
 * that no editor loses words, yet short enough that a body pasted by mistake is refused.
 */
export const SEO_LIMITS: Record<typeof SEO_TEXT_FIELDS[number], number> = {
  meta_title: 120,
  meta_description: 320,
  og_title: 200,
  og_description: 500,
  twitter_title: 200,
  twitter_description: 500
}

/** The fields of a write that break a limit, as `errors[]` entries (empty when all fit). */
export function seoErrors (input: Partial<Record<string, unknown>>): Array<{ in: string, path: string, message: string }> {
  const errors: Array<{ in: string, path: string, message: string }> = []
  for (const field of SEO_TEXT_FIELDS) {
    const value = input[field]
    // Counted in code points, as a reader counts characters.
    if (typeof value === 'string' && [...value].length > SEO_LIMITS[field]) {
      errors.push({ in: 'body', path: field, message: `must be at most ${SEO_LIMITS[field]} characters (has ${[...value].length})` })
    }
  }
  return errors
}

/** What the fallbacks are taken from. */
export interface SeoBase {
  title: string
  excerpt: string
  url: string
  canonicalUrl: string | null
  featuredImage: string | null
  /** og:type: a post is an article, a page a website. */
  type: 'article' | 'website'
}

export interface ComputedSeo {
  title: string
  description: string
  canonical_url: string
  robots: string
  og: { type: 'article' | 'website', url: string, title: string, description: string, image: string | null }
  twitter: { card: 'summary' | 'summary_large_image', title: string, description: string, image: string | null }
}

const given = (value: string | null | undefined): string | null => value === null || value === undefined || value.trim() === '' ? null : value

/**
 * The head tags with fallbacks: title ← meta_title, else the title; description ←
 * meta_description, else the excerpt; canonical ← canonical_url, else the url; og:title ←
 * og_title, else the SEO title; og:description ← og_description, else the SEO description;
 * og:image ← og_image, else the featured image; twitter:* ← twitter_*, else the og value;
 * twitter:card is summary_large_image when there is an image; robots is "noindex, follow"
 * when noindex is set, else "index, follow".
 */
export function computeSeo (fields: SeoFields, base: SeoBase): ComputedSeo {
  const title = given(fields.meta_title) ?? base.title
  const description = given(fields.meta_description) ?? base.excerpt
  const canonical = given(base.canonicalUrl) ?? base.url
  const og = {
    type: base.type,
    url: canonical,
    title: given(fields.og_title) ?? title,
    description: given(fields.og_description) ?? description,
    image: given(fields.og_image) ?? base.featuredImage
  }
  const twitterImage = given(fields.twitter_image) ?? og.image
  return {
    title,
    description,
    canonical_url: canonical,
    robots: fields.noindex ? 'noindex, follow' : 'index, follow',
    og,
    twitter: {
      card: twitterImage === null ? 'summary' : 'summary_large_image',
      title: given(fields.twitter_title) ?? og.title,
      description: given(fields.twitter_description) ?? og.description,
      image: twitterImage
    }
  }
}
