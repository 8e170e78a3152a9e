import { createHash } from 'node:crypto'
import type { Core } from '../core.js'
import { demoContent } from './demo-content.js'
import { formatCommentText } from '../lib/comment-text.js'
import { makeExcerpt } from '../lib/text.js'

/**
 * Fills an empty database with the demo newsroom, through the same write services as the
 * API (so bodies are sanitized, counts derived and the change log written). A database
 * that already has posts is left alone.
 */
export async function seedDemo (core: Pick<Core, 'repos' | 'writes' | 'writeAsync'>, now = new Date()): Promise<{ seeded: boolean, posts: number, comments: number }> {
  const existing = core.repos.posts.count({ visibility: 'any', now: now.getTime() })
  if (existing > 0) return { seeded: false, posts: existing, comments: 0 }
  const content = demoContent(now)
  const { writes } = core
  await writes.site.update({ ...content.site })
  const authorIds = new Map<string, number>()
  for (const a of content.authors) {
    authorIds.set(a.slug, await writes.authors.create({ name: a.name, slug: a.slug, email: a.email, bio: a.bio, avatar_url: a.avatar_url, website: a.website }))
  }
  const categoryIds = new Map<string, number>()
  // Parents first, whatever order the data has.
  const pending = [...content.categories]
  while (pending.length > 0) {
    const i = pending.findIndex((c) => c.parent === null || categoryIds.has(c.parent))
    if (i === -1) throw new Error('demo categories have a missing parent')
    const [c] = pending.splice(i, 1)
    categoryIds.set(c.slug, await writes.categories.create({ name: c.name, slug: c.slug, description: c.description, parent_id: c.parent === null ? null : categoryIds.get(c.parent) }))
  }
  const tagIds = new Map<string, number>()
  for (const t of content.tags) tagIds.set(t.slug, await writes.tags.create({ name: t.name, slug: t.slug }))
  const postIds = new Map<string, number>()
  const byDate = [...content.posts].sort((a, b) => a.published_at.localeCompare(b.published_at))
  for (const p of byDate) {
    postIds.set(p.slug, writes.posts.create({
      title: p.title,
      slug: p.slug,
      excerpt: p.excerpt,
      content_html: p.content_html,
      status: p.status,
      published_at: p.published_at,
      author_id: authorIds.get(p.author)!,
      category_ids: p.categories.map((c) => categoryIds.get(c)!),
      tag_ids: p.tags.map((t) => tagIds.get(t)!),
      featured_image: p.featured_image,
      source: p.source,
      canonical_url: p.canonical_url,
      comment_status: p.comment_status
    }))
  }
  // Pages, a primary menu and SEO fields on the two newest posts, so every editorial feature
  // has something to show.
  const about = await writes.pages.create({ title: 'About us', slug: 'about', status: 'published', published_at: content.posts[0].published_at, menu_order: 1, content_html: `<p>${content.site.description}</p><p>We are an independent newsroom of eight reporters and editors.</p>`, meta_description: 'Who we are and how we report' })
  const team = await writes.pages.create({ title: 'Our team', slug: 'team', parent_id: about, status: 'published', published_at: content.posts[0].published_at, content_html: '<p>' + content.authors.map((a) => a.name).join(', ') + '.</p>' })
  await writes.pages.create({ title: 'Contact', slug: 'contact', status: 'published', published_at: content.posts[0].published_at, menu_order: 2, content_html: '<p>Write to newsroom@example.com.</p>' })
  const live = byDate.filter((p) => p.status === 'published' && Date.parse(p.published_at) <= now.getTime())
  for (const p of live.slice(-2)) writes.posts.update(postIds.get(p.slug)!, { meta_description: p.excerpt ?? makeExcerpt(p.content_html, 155), og_title: p.title.slice(0, 200) })
  // The newest live story is the editors' pick, and the one before it was written by two
  // reporters (its own and the first other author of the desk).
  writes.posts.update(postIds.get(live[live.length - 1].slug)!, { featured: true })
  const joint = live[live.length - 2]
  const coauthor = content.authors.find((a) => a.slug !== joint.author)!
  writes.posts.update(postIds.get(joint.slug)!, { author_ids: [joint.author, coauthor.slug] })
  await writes.site.update({
    navigation: {
      primary: [
        ...content.categories.filter((c) => c.parent === null).slice(0, 4).map((c) => ({ label: c.name, category_id: categoryIds.get(c.slug)! })),
        { label: 'About', page_id: about, children: [{ label: 'Our team', page_id: team }] },
        { label: 'Contact', url: '/contact' }
      ],
      secondary: []
    }
  })
  const comments = core.repos.comments
  const commentIds = new Map<string, number>()
  const ordered = [...content.comments].sort((a, b) => a.created_at.localeCompare(b.created_at))
  // The demo's comments keep their dates and statuses, which the public submission would not.
  await core.writeAsync(async (tx, emit) => {
    for (const c of ordered) {
      const postId = postIds.get(c.post)!
      const id = await comments.insert(tx, {
        postId,
        parentId: c.parent === null ? null : commentIds.get(c.parent)!,
        authorName: c.author_name,
        authorEmail: c.author_email,
        authorUrl: c.author_url,
        content: c.content,
        contentHtml: formatCommentText(c.content).html,
        contentHash: createHash('sha256').update(c.content.trim().toLowerCase()).digest('hex'),
        status: c.status,
        createdAt: Date.parse(c.created_at)
      })
      commentIds.set(c.key, id)
      emit({ kind: 'comment', id, postId, before: null, after: c.status })
    }
  })
  return { seeded: true, posts: content.posts.length, comments: content.comments.length }
}
