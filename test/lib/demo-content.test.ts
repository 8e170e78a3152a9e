import t from 'tap'
import { demoContent } from '../../src/lib/demo-content.js'
import { countWords, htmlToText } from '../../src/lib/text.js'
import { isValidSlug } from '../../src/lib/slugify.js'

t.test('the demo newsroom is deterministic and consistent', async (t) => {
  const now = new Date('2026-11-01T00:00:00Z')
  const a = demoContent(now)
  t.same(demoContent(now), a, 'the same now gives the same content')
  t.ok(a.posts.length >= 60, `${a.posts.length} posts`)
  t.ok(a.authors.length >= 6)
  const slugs = new Set(a.posts.map((p) => p.slug))
  t.equal(slugs.size, a.posts.length, 'unique slugs')
  const categories = new Map(a.categories.map((c) => [c.slug, c]))
  for (const c of a.categories) {
    if (c.parent !== null) t.equal(categories.get(c.parent)?.parent, null, `${c.slug} is on the second level`)
  }
  const authors = new Set(a.authors.map((x) => x.slug))
  const tags = new Set(a.tags.map((x) => x.slug))
  for (const p of a.posts) {
    t.ok(isValidSlug(p.slug), p.slug)
    t.ok(authors.has(p.author))
    t.ok(p.categories.every((c) => categories.has(c)) && p.tags.every((x) => tags.has(x)), `${p.slug} references exist`)
    t.match(p.content_html, /<h2>/)
    t.ok(countWords(htmlToText(p.content_html)) >= 250, `${p.slug} has a real body`)
    t.ok(Number.isFinite(Date.parse(p.published_at)))
  }
  t.equal(a.posts.filter((p) => p.status === 'scheduled').every((p) => Date.parse(p.published_at) > now.getTime()), true)
  t.ok(a.posts.filter((p) => p.source !== null).length >= 8, 'several syndicated posts')
  t.equal(a.posts.find((p) => p.slug === 'blinken-warns-russia')?.categories[0], 'politics')
  const byKey = new Map(a.comments.map((c) => [c.key, c]))
  for (const c of a.comments) {
    t.ok(slugs.has(c.post))
    if (c.parent !== null) {
      const parent = byKey.get(c.parent)
      t.equal(parent?.post, c.post, 'a reply is on its parent\'s post')
      t.ok(Date.parse(c.created_at) > Date.parse(parent!.created_at), 'after its parent')
    }
  }
  t.ok(a.comments.length >= 150, `${a.comments.length} comments`)
  t.ok(a.comments.some((c) => c.status === 'pending') && a.comments.some((c) => c.status === 'spam'))
})
