import { EVERY_POST_WORDS } from './endpoints.js'
import { seededRandom } from './random.js'
import { weightedPicker, zipfSampler } from './zipf.js'

/** What the newsroom's readers ask for, as shares of requests (the spread). */
export const NEWSROOM_MIX = { single: 50, related: 15, comments: 15, list: 7.5, category: 7.5, search: 5 } as const
export type MixClass = keyof typeof NEWSROOM_MIX
export const MIX_CLASSES = Object.keys(NEWSROOM_MIX) as MixClass[]

// Topic words of the bench corpus (a word is in about a tenth of the posts).
const TOPIC_WORDS = ('election vote ballot campaign senate parliament minister coalition football match goal league striker coach season ' +
  'climate carbon emissions warming glacier drought renewable solar software model algorithm data chip cloud startup privacy ' +
  'market stocks inflation bank rates investor bond space orbit rocket mission planet telescope health hospital vaccine doctor ' +
  'film music theatre festival album director diplomacy summit treaty sanctions embassy housing rent mortgage city council transport').split(' ')

/**
 * `count` distinct search URLs: one, two or three words (topic words, now and then a word in
 * every post), a quarter of them ordered by relevance. Deterministic.
 */
export function searchQueries (count: number, seed = 11): string[] {
  const rand = seededRandom(seed)
  const word = () => (rand() < 0.2 ? EVERY_POST_WORDS[Math.floor(rand() * EVERY_POST_WORDS.length)] : TOPIC_WORDS[Math.floor(rand() * TOPIC_WORDS.length)])
  const out = new Set<string>()
  for (let guard = 0; out.size < count && guard < count * 100; guard++) {
    const r = rand()
    const words = r < 0.4 ? [word()] : r < 0.9 ? [word(), word()] : [word(), word(), word()]
    if (new Set(words).size !== words.length) continue
    out.add(`/v1/posts?q=${words.join('%20')}${rand() < 0.25 ? '&sort=relevance' : ''}`)
  }
  return [...out]
}

export interface Mix {
  paths: string[]
  /** The class of each path (its index in MIX_CLASSES), for the limit's per-class responses. */
  classes: number[]
  /** Requests of each class in the list. */
  counts: Record<MixClass, number>
}

export interface MixInput {
  /** Live post slugs, newest first: rank 0 is the hottest. */
  slugs: string[]
  categories: string[]
  /** Pages of the list (10 a page) the readers reach. */
  listPages: number
  length: number
  /** Zipf exponent (1 by default). */
  s: number
  seed: number
  searches?: number
}

/**
 * The newsroom readers' requests, precomputed: each entry draws its class by NEWSROOM_MIX and
 * its target by Zipf's law — posts by rank (newest first), list and category pages by page
 * number, categories by their order, search queries among `searches` distinct ones. wrk then
 * cycles through the list, so the spread is the same on every run.
 */
export function newsroomMix (input: MixInput): Mix {
  const rand = seededRandom(input.seed)
  const pickClass = weightedPicker(NEWSROOM_MIX, rand)
  const post = zipfSampler(input.slugs.length, input.s, rand)
  const listPage = zipfSampler(Math.max(1, input.listPages), input.s, rand)
  const category = zipfSampler(Math.max(1, input.categories.length), input.s, rand)
  const categoryPage = zipfSampler(10, input.s, rand)
  const queries = searchQueries(input.searches ?? 1000)
  const search = zipfSampler(queries.length, input.s, rand)
  const paths: string[] = []
  const classes: number[] = []
  const counts = Object.fromEntries(MIX_CLASSES.map((c) => [c, 0])) as Record<MixClass, number>
  for (let i = 0; i < input.length; i++) {
    const c = pickClass()
    let path: string
    switch (c) {
      case 'single': path = `/v1/posts/${input.slugs[post()]}`; break
      case 'related': path = `/v1/posts/${input.slugs[post()]}/related?limit=3`; break
      case 'comments': path = `/v1/posts/${input.slugs[post()]}/comments?per_page=50`; break
      case 'list': { const p = listPage() + 1; path = p === 1 ? '/v1/posts' : `/v1/posts?page=${p}`; break }
      case 'category': { const p = categoryPage() + 1; const slug = input.categories[category()]; path = p === 1 ? `/v1/posts?category=${slug}` : `/v1/posts?category=${slug}&page=${p}`; break }
      case 'search': path = queries[search()]; break
    }
    paths.push(path)
    classes.push(MIX_CLASSES.indexOf(c))
    counts[c]++
  }
  return { paths, classes, counts }
}
