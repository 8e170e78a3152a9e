import t from 'tap'
import { demoContent, type DemoComment, type DemoContent, type DemoPost } from '../../src/demo/demo-content.js'
import { countWords, htmlToText } from '../../src/lib/text.js'
import { isValidSlug } from '../../src/lib/slugify.js'
import { sanitizePostHtml } from '../../src/lib/sanitize.js'
import { buildTermVector, scoreRelated, type RelatedDoc } from '../../src/lib/related.js'

const NOW = new Date('2026-11-01T00:00:00Z')
const DAY = 86_400_000
const content = demoContent(NOW)
const published = content.posts.filter((p) => p.status === 'published')

const isIso = (s: string): boolean => Number.isFinite(Date.parse(s)) && new Date(s).toISOString() === s

t.test('is deterministic for a given now and dated relative to it', async (t) => {
  t.same(demoContent(NOW), content, 'two calls with the same now are equal')
  t.same(demoContent(), content, 'the default now is 2026-11-01')
  const later = demoContent(new Date(NOW.getTime() + 7 * DAY))
  t.same(later.posts.map((p) => p.slug), content.posts.map((p) => p.slug))
  for (const [i, p] of later.posts.entries()) {
    t.equal(Date.parse(p.published_at) - Date.parse(content.posts[i].published_at), 7 * DAY, `${p.slug} moves with now`)
  }
  t.equal(later.comments.length, content.comments.length)
})

t.test('site, authors, categories and tags', async (t) => {
  t.same(content.site, { ...content.site, title: 'My Blog', language: 'en', timezone: 'Europe/London' })
  t.ok(content.site.description.length > 20)

  const { authors, categories, tags } = content
  t.ok(authors.length >= 6, `${authors.length} authors`)
  t.equal(new Set(authors.map((a) => a.slug)).size, authors.length, 'unique author slugs')
  for (const a of authors) {
    t.ok(isValidSlug(a.slug), a.slug)
    t.match(a.email, /^[a-z.]+@example\.com$/)
    t.ok(a.bio.length > 40, `${a.slug} has a bio`)
  }
  t.ok(authors.filter((a) => a.avatar_url !== null).length > authors.length / 2, 'most authors have an avatar')

  const bySlug = new Map(categories.map((c) => [c.slug, c]))
  t.equal(bySlug.size, categories.length, 'unique category slugs')
  const top = categories.filter((c) => c.parent === null)
  t.ok(top.length >= 6 && top.length <= 8, `${top.length} top-level categories`)
  for (const c of categories) {
    t.ok(isValidSlug(c.slug), c.slug)
    if (c.parent !== null) {
      t.ok(bySlug.has(c.parent), `${c.slug}'s parent exists`)
      t.equal(bySlug.get(c.parent)?.parent, null, `${c.slug} is on the second level`)
    }
  }
  for (const c of top) {
    const children = categories.filter((x) => x.parent === c.slug).length
    t.ok(children >= 2 && children <= 3, `${c.slug} has ${children} children`)
  }

  t.ok(tags.length >= 15 && tags.length <= 25, `${tags.length} tags`)
  t.equal(new Set(tags.map((x) => x.slug)).size, tags.length, 'unique tag slugs')
  for (const x of tags) t.ok(isValidSlug(x.slug), x.slug)
})

t.test('posts are distinct, complete articles with valid references', async (t) => {
  const { posts } = content
  t.ok(posts.length >= 64, `${posts.length} posts`)
  t.equal(new Set(posts.map((p) => p.slug)).size, posts.length, 'unique slugs')
  t.equal(new Set(posts.map((p) => p.title)).size, posts.length, 'unique titles')
  const authors = new Set(content.authors.map((a) => a.slug))
  const categories = new Set(content.categories.map((c) => c.slug))
  const tags = new Set(content.tags.map((x) => x.slug))
  for (const p of posts) {
    t.ok(isValidSlug(p.slug) && !/^\d+$/.test(p.slug), `${p.slug} is a valid slug`)
    t.ok(authors.has(p.author), `${p.slug}: author exists`)
    t.ok(p.categories.length >= 1 && p.categories.every((c) => categories.has(c)), `${p.slug}: categories exist`)
    t.equal(new Set(p.categories).size, p.categories.length, `${p.slug}: no repeated category`)
    t.ok(p.tags.every((x) => tags.has(x)), `${p.slug}: tags exist`)
    t.equal(new Set(p.tags).size, p.tags.length, `${p.slug}: no repeated tag`)
    t.ok(isIso(p.published_at), `${p.slug}: ISO date`)

    const h2 = p.content_html.match(/<h2>/g)?.length ?? 0
    t.ok(h2 >= 1 && h2 <= 3, `${p.slug}: ${h2} sub-headings`)
    const words = countWords(htmlToText(p.content_html))
    t.ok(words >= 250 && words <= 900, `${p.slug}: ${words} words`)
    const paragraphs = p.content_html.match(/<p>[^<]*<\/p>/g) ?? []
    t.ok(paragraphs.length >= 4, `${p.slug}: ${paragraphs.length} paragraphs`)
    t.equal(new Set(paragraphs).size, paragraphs.length, `${p.slug}: no paragraph repeated`)
    t.equal(htmlToText(sanitizePostHtml(p.content_html)), htmlToText(p.content_html), `${p.slug}: nothing lost to the sanitizer`)

    if (p.featured_image !== null) {
      t.equal(p.featured_image.url, `https://images.example.com/posts/${p.slug}.jpg`)
      t.ok(p.featured_image.alt.length > 15, `${p.slug}: meaningful alt text`)
    }
    if (p.source !== null) {
      t.match(p.source.url, /^https:\/\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9-]+$/)
      t.equal(p.canonical_url, p.source.url, `${p.slug}: a syndicated post points at its original`)
    } else {
      t.equal(p.canonical_url, null)
    }
  }
  const bodies = posts.map((p) => p.content_html)
  t.equal(new Set(bodies).size, bodies.length, 'no two bodies are the same')
  t.ok(posts.some((p) => /<blockquote>/.test(p.content_html)), 'some block quotes')
  t.ok(posts.some((p) => /<[uo]l>/.test(p.content_html)), 'some lists')
  t.ok(posts.some((p) => /<a href="https:/.test(p.content_html)), 'some links')
  t.ok(posts.filter((p) => /[À-ž]/.test(p.title)).length >= 2, 'accented letters in some titles')
  t.ok(posts.filter((p) => p.tags.length > 0).length > posts.length * 0.8, 'most posts are tagged')
  t.ok(content.tags.every((x) => posts.some((p) => p.tags.includes(x.slug))), 'every tag is used')
  t.ok(content.categories.every((c) => posts.some((p) => p.categories.includes(c.slug)) || content.categories.some((x) => x.parent === c.slug)), 'every leaf category is used')
  t.ok(posts.filter((p) => p.featured_image !== null).length > posts.length * 0.75, 'featured images on most posts')
  t.ok(posts.filter((p) => p.excerpt !== null).length > 0 && posts.some((p) => p.excerpt === null), 'excerpts on some posts')
})

t.test('statuses and dates', async (t) => {
  const { posts } = content
  const drafts = posts.filter((p) => p.status === 'draft')
  const scheduled = posts.filter((p) => p.status === 'scheduled')
  t.equal(drafts.length, 3, 'three drafts')
  t.equal(scheduled.length, 2, 'two scheduled posts')
  for (const p of scheduled) {
    const ahead = Date.parse(p.published_at) - NOW.getTime()
    t.ok(ahead > 0 && ahead < 8 * DAY, `${p.slug} is due a few days after now`)
  }
  for (const p of published) {
    const age = NOW.getTime() - Date.parse(p.published_at)
    t.ok(age > 0 && age < 25 * 30 * DAY, `${p.slug} was published in the last two years`)
  }
  const times = published.map((p) => Date.parse(p.published_at))
  t.ok(Math.max(...times) - Math.min(...times) > 600 * DAY, 'publication spread over most of two years')
  t.ok(new Set(published.map((p) => p.published_at.slice(11, 16))).size > 30, 'at varied times of day')
  t.ok(posts.filter((p) => p.source !== null).length >= 8, 'several syndicated posts')
  t.ok(posts.filter((p) => p.comment_status === 'closed').length >= 2, 'a few posts closed to comments')
})

t.test('the Blinken story has diplomatic company', async (t) => {
  const blinken = content.posts.find((p) => p.slug === 'blinken-warns-russia') as DemoPost
  t.ok(blinken, 'the post exists')
  t.match(blinken.title, /^Blinken warns any Russian invasion of Ukraine/)
  t.equal(blinken.status, 'published')
  t.equal(blinken.categories[0], 'politics', 'politics is primary')
  t.ok(blinken.categories.includes('world') && blinken.categories.includes('europe'))
  t.match(blinken.source, { name: 'Example Wire', url: /^https:\/\/www\.example-wire\.com\/\d{4}\/\d{2}\/\d{2}\/blinken-lavrov-geneva$/ })
  t.equal(blinken.canonical_url, blinken.source?.url)
  for (const tag of ['ukraine', 'russia', 'nato', 'diplomacy']) t.ok(blinken.tags.includes(tag), `tagged ${tag}`)
  const siblings = published.filter((p) => p !== blinken && p.tags.includes('diplomacy') &&
    p.categories.some((c) => c === 'politics' || c === 'world' || c === 'europe'))
  t.ok(siblings.length >= 3, `${siblings.length} other diplomacy posts in Politics or World`)

  // Score related posts the way the API does, over the published posts.
  const index = new Map(published.map((p, i) => [p.slug, i + 1]))
  const tagIds = new Map(content.tags.map((x, i) => [x.slug, i + 1]))
  const catIds = new Map(content.categories.map((c, i) => [c.slug, i + 1]))
  const docs: RelatedDoc[] = published.map((p) => ({
    id: index.get(p.slug) as number,
    tagIds: p.tags.map((x) => tagIds.get(x) as number),
    categoryIds: p.categories.map((c) => catIds.get(c) as number),
    publishedAt: Date.parse(p.published_at),
    vector: buildTermVector(p.title, htmlToText(p.content_html))
  }))
  const df = new Map<string, number>()
  for (const d of docs) for (const term of d.vector.terms) df.set(term, (df.get(term) ?? 0) + 1)
  const count = (key: 'tagIds' | 'categoryIds', id: number) => docs.filter((d) => d[key].includes(id)).length
  const stats = { docCount: docs.length, termDf: (term: string) => df.get(term) ?? 0, tagCount: (id: number) => count('tagIds', id), categoryCount: (id: number) => count('categoryIds', id) }
  const related = (slug: string) => scoreRelated(docs[(index.get(slug) as number) - 1], docs, stats, 5).map((r) => published[r.id - 1])
  const top = related('blinken-warns-russia')
  t.equal(top.length, 5)
  t.ok(top.every((p) => p.tags.includes('diplomacy')), `related to Blinken: ${top.map((p) => p.slug).join(', ')}`)

  // Without any shared taxonomy, text alone still finds the same topic.
  const textOnly = (slug: string) => scoreRelated({ ...docs[(index.get(slug) as number) - 1], tagIds: [], categoryIds: [] }, docs, stats, 3)
    .map((r) => published[r.id - 1])
  for (const slug of ['swiss-glaciers-record-loss', 'central-bank-holds-rates', 'late-header-top-four', 'ransomware-attack-hospital-supplier']) {
    const primary = published[(index.get(slug) as number) - 1].categories[0]
    t.ok(textOnly(slug).every((p) => p.categories.includes(primary)), `text neighbours of ${slug} share ${primary}`)
  }
})

function depthOf (c: DemoComment, byKey: Map<string, DemoComment>): number {
  let depth = 1
  for (let x = c; x.parent !== null; x = byKey.get(x.parent) as DemoComment) depth++
  return depth
}

t.test('comments are threaded, ordered in time and mostly approved', async (t) => {
  const { comments } = content as DemoContent
  const posts = new Map(content.posts.map((p) => [p.slug, p]))
  const byKey = new Map(comments.map((c) => [c.key, c]))
  t.ok(comments.length >= 150, `${comments.length} comments`)
  t.equal(byKey.size, comments.length, 'unique keys')
  for (const c of comments) {
    const post = posts.get(c.post)
    t.ok(post !== undefined && post.status === 'published', `${c.key} is on a published post`)
    t.ok(isIso(c.created_at) && c.created_at.endsWith('.000Z'), `${c.key}: ISO date in whole seconds`)
    t.ok(c.created_at > (post as DemoPost).published_at, `${c.key} comes after its post`)
    t.ok(Date.parse(c.created_at) <= NOW.getTime(), `${c.key} is not in the future`)
    t.ok(c.content.trim().length > 0 && c.author_name.length > 0)
    t.match(c.author_email, /^[^@\s]+@[^@\s]+\.[a-z]+$/)
    if (c.parent !== null) {
      const parent = byKey.get(c.parent)
      t.ok(parent, `${c.key}'s parent exists`)
      t.equal(parent?.post, c.post, `${c.key} is on its parent's post`)
      t.ok(c.created_at > (parent as DemoComment).created_at, `${c.key} comes after its parent`)
      t.equal(parent?.status, 'approved', `${c.key} replies to a visible comment`)
    }
  }
  const depths = comments.map((c) => depthOf(c, byKey))
  t.ok(Math.max(...depths) >= 3 && Math.max(...depths) <= 5, `threads up to ${Math.max(...depths)} deep`)
  t.ok(depths.filter((d) => d >= 3).length >= 10, 'replies to replies are common')
  const commented = new Set(comments.map((c) => c.post))
  t.ok(commented.size >= 25, `${commented.size} posts with comments`)
  t.ok(commented.has('blinken-warns-russia'))

  const status = (s: DemoComment['status']) => comments.filter((c) => c.status === s).length
  t.ok(status('pending') >= 8 && status('pending') <= 12, `${status('pending')} pending`)
  t.ok(status('spam') >= 2 && status('spam') <= 3, `${status('spam')} spam`)
  t.ok(status('approved') > comments.length * 0.85, 'mostly approved')
  for (const post of commented) {
    const texts = comments.filter((c) => c.post === post).map((c) => c.content)
    t.equal(new Set(texts).size, texts.length, `${post}: no comment repeated on the same post`)
  }
})
