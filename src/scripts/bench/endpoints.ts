import { encodeCursor } from '../../lib/cursor.js'
import type { Corpus } from './corpus.js'
import { seededRandom, shuffled } from './random.js'

export interface Endpoint {
  name: string
  /** URLs of the cached pass: few enough to stay in the response cache, so that pass measures hits. */
  paths: string[]
  /** URLs of the uncached pass when they differ: spread over every post. */
  uncachedPaths?: string[]
}

/** Words of the bench corpus found in every post (bench-data's common words). */
export const EVERY_POST_WORDS = ['said', 'government', 'officials', 'people', 'year', 'week', 'time', 'told', 'according', 'after',
  'over', 'about', 'new', 'more', 'last', 'first', 'also', 'two', 'were', 'have']

/** A word in exactly one post of the bench corpus: the number in a title ("… report 4711"). */
export const rareWords = (posts: number, n: number): string[] =>
  Array.from({ length: n }, (_, i) => String(Math.floor((i + 0.5) * Math.max(1, posts) / n)))

/** Every n-th of the items, n of them at most, spread from first to last. */
export function spread<T> (items: readonly T[], n: number): T[] {
  if (items.length <= n) return items.slice()
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * items.length / n)])
}

/** The endpoints of `npm run bench`, each with many distinct URLs. */
export function benchEndpoints (corpus: Corpus): Endpoint[] {
  const slugs = corpus.posts.map((p) => p.slug)
  // The cached pass reads 500 posts spread over the corpus (they fit in the response cache);
  // the uncached pass reads every post once per cycle, in a fixed shuffled order.
  const sample = spread(slugs, 500)
  const all = shuffled(slugs, seededRandom(7))
  const perPost = (suffix: string): Pick<Endpoint, 'paths' | 'uncachedPaths'> => ({
    paths: sample.map((s) => `/v1/posts/${s}${suffix}`),
    uncachedPaths: all.map((s) => `/v1/posts/${s}${suffix}`)
  })
  const cats = corpus.categories.map((c) => c.slug)
  const tags = corpus.tags.map((t) => t.slug)
  const authors = corpus.authors.map((a) => a.slug)
  const both = (q: string) => [`/v1/posts?q=${q}`, `/v1/posts?per_page=10&q=${q}`]
  return [
    // The same page under many spellings: distinct URLs, the same bytes.
    {
      name: 'list page 1',
      paths: ['', '&sort=-published_at', '&published_after=2000-01-01T00:00:00Z', '&published_before=2999-01-01T00:00:00Z', '&sort=-published_at&published_after=2000-01-01T00:00:00Z', '&sort=-published_at&published_before=2999-01-01T00:00:00Z']
        .flatMap((a) => ['per_page=10', 'page=1&per_page=10'].map((b) => `/v1/posts?${b}${a}`))
    },
    { name: 'list deep page (page 500)', paths: Array.from({ length: 20 }, (_, i) => `/v1/posts?page=${490 + i}&per_page=10`) },
    { name: 'list by cursor (page 500)', paths: corpus.deep.map((d) => `/v1/posts?per_page=10&cursor=${encodeCursor({ sort: '-published_at', value: d.published_at, id: d.id })}`) },
    { name: 'category page', paths: spread(cats, 50).map((c) => `/v1/posts?category=${c}`) },
    { name: 'tag page', paths: spread(tags, 100).map((t) => `/v1/posts?tag=${t}`) },
    { name: 'single post', ...perPost('') },
    { name: 'comments of a post (50)', ...perPost('/comments?per_page=50') },
    { name: 'related (limit 3)', ...perPost('/related?limit=3') },
    { name: 'search, word in every post, newest', paths: EVERY_POST_WORDS.flatMap((w) => both(w)) },
    { name: 'search, word in every post, relevance', paths: EVERY_POST_WORDS.flatMap((w) => both(`${w}&sort=relevance`)) },
    { name: 'search, rare word', paths: rareWords(slugs.length, 40).map((w) => `/v1/posts?q=${w}`) },
    { name: 'feed rss', paths: ['/feeds/rss.xml', ...spread(cats, 20).map((c) => `/feeds/rss.xml?category=${c}`)] },
    { name: 'feed atom', paths: ['/feeds/atom.xml', ...spread(tags, 20).map((t) => `/feeds/atom.xml?tag=${t}`)] },
    { name: 'feed json', paths: ['/feeds/feed.json', ...spread(authors, 20).map((a) => `/feeds/feed.json?author=${a}`)] },
    { name: 'change log', paths: Array.from({ length: 50 }, (_, i) => `/v1/changes?limit=${50 + i}`) }
  ]
}

/** The single-connection search pass: one query kind a run, the response cache off. */
export function singleConnectionSearches (posts: number): Array<{ name: string, paths: string[] }> {
  const rare = rareWords(posts, 40)
  const pairs = EVERY_POST_WORDS.map((w, i) => `${w}%20${EVERY_POST_WORDS[(i + 7) % EVERY_POST_WORDS.length]}`)
  return [
    { name: 'word in every post, newest', paths: EVERY_POST_WORDS.map((w) => `/v1/posts?q=${w}`) },
    { name: 'word in every post, relevance', paths: EVERY_POST_WORDS.map((w) => `/v1/posts?q=${w}&sort=relevance`) },
    { name: 'two words in every post, relevance', paths: pairs.map((q) => `/v1/posts?q=${q}&sort=relevance`) },
    { name: 'rare word, newest', paths: rare.map((w) => `/v1/posts?q=${w}`) },
    { name: 'rare word, relevance', paths: rare.map((w) => `/v1/posts?q=${w}&sort=relevance`) }
  ]
}
