import { Type } from 'typebox'
import { SEO_LIMITS } from '../lib/seo.js'

// The SEO and social fields of posts and pages: as written, as read, and the computed `seo`
// object. The limits of lib/seo.ts are checked by the services (a 422 naming the field); the
// schema's cap only keeps a runaway value out of the validator.

const HttpUrl = (description: string) => Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000, description })
const text = (field: keyof typeof SEO_LIMITS, description: string) =>
  Type.Union([Type.String({ maxLength: 2000, description: `${description} At most ${SEO_LIMITS[field]} characters (422 beyond).` }), Type.Null()])

/** The writable fields (every one optional; null clears it, so its fallback applies). */
export const seoWritable = {
  meta_title: text('meta_title', '<title> and search result title; falls back to the title.'),
  meta_description: text('meta_description', '<meta name="description">; falls back to the excerpt.'),
  og_title: text('og_title', 'og:title; falls back to the SEO title.'),
  og_description: text('og_description', 'og:description; falls back to the SEO description.'),
  og_image: Type.Union([HttpUrl('og:image; falls back to the featured image.'), Type.Null()]),
  twitter_title: text('twitter_title', 'twitter:title; falls back to og:title.'),
  twitter_description: text('twitter_description', 'twitter:description; falls back to og:description.'),
  twitter_image: Type.Union([HttpUrl('twitter:image; falls back to og:image.'), Type.Null()]),
  noindex: Type.Boolean({ description: 'Asks search engines not to index it (robots "noindex, follow") and leaves it out of sitemaps; it stays readable.' })
}

const nullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description })

/** The fields as stored, on a read (null: not set, the fallback applies). */
export const seoReadable = {
  meta_title: nullableString('As written; null when the fallback applies (see seo)'),
  meta_description: nullableString('As written; null when the fallback applies'),
  og_title: nullableString('As written; null when the fallback applies'),
  og_description: nullableString('As written; null when the fallback applies'),
  og_image: nullableString('As written; null when the fallback applies'),
  twitter_title: nullableString('As written; null when the fallback applies'),
  twitter_description: nullableString('As written; null when the fallback applies'),
  twitter_image: nullableString('As written; null when the fallback applies'),
  noindex: Type.Boolean({ description: 'Left out of sitemaps and marked noindex in seo.robots' })
}

export const SeoSchema = Type.Object({
  title: Type.String({ description: '<title>: meta_title, else the title' }),
  description: Type.String({ description: '<meta name="description">: meta_description, else the excerpt' }),
  canonical_url: Type.String({ description: '<link rel="canonical">: canonical_url, else the url' }),
  robots: Type.String({ description: '<meta name="robots">: "noindex, follow" when noindex, else "index, follow"', examples: ['index, follow'] }),
  og: Type.Object({
    type: Type.Union([Type.Literal('article'), Type.Literal('website')], { description: 'article for a post, website for a page' }),
    url: Type.String({ description: 'The canonical URL' }),
    title: Type.String({ description: 'og_title, else seo.title' }),
    description: Type.String({ description: 'og_description, else seo.description' }),
    image: Type.Union([Type.String(), Type.Null()], { description: 'og_image, else the featured image, else null' })
  }),
  twitter: Type.Object({
    card: Type.Union([Type.Literal('summary'), Type.Literal('summary_large_image')], { description: 'summary_large_image when there is an image' }),
    title: Type.String({ description: 'twitter_title, else og.title' }),
    description: Type.String({ description: 'twitter_description, else og.description' }),
    image: Type.Union([Type.String(), Type.Null()], { description: 'twitter_image, else og.image' })
  })
}, {
  $id: 'Seo',
  title: 'Seo',
  description: 'Every head tag with its fallback applied: render <title>, description, canonical, robots, Open Graph and Twitter tags from this one object.'
})
