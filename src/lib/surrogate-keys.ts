import type { ContentChange } from '../db/change-bus.js'

// Surrogate keys name what a public response depends on, so a CDN or Varnish in front can
// keep responses for a long time and drop exactly the affected ones when a write lands:
//   posts            every post list, search, related posts and feeds
//   post-<id>        one post and its comment thread
//   categories, tags, authors   those lists and single reads (they carry post counts)
//   site             the site settings (and feeds, which carry the site title)
//   changes          the change log

/** The keys a public response of a route depends on; `postId` for routes under a post. */
export function keysForRoute (route: string, postId?: number): string[] {
  if (route === '/v1/posts' || route === '/v1/posts/:ref/related') return ['posts']
  if ((route === '/v1/posts/:ref' || route === '/v1/posts/:ref/comments') && postId !== undefined) return [`post-${postId}`]
  if (route.startsWith('/v1/categories')) return ['categories']
  if (route.startsWith('/v1/tags')) return ['tags']
  if (route.startsWith('/v1/authors')) return ['authors']
  if (route === '/v1/site') return ['site']
  if (route === '/v1/changes') return ['changes']
  if (route.startsWith('/feeds/')) return ['posts', 'site']
  return ['all']
}

/** The keys a committed set of changes invalidates. */
export function keysForChanges (changes: ContentChange[]): string[] {
  const keys = new Set<string>(['changes'])
  for (const c of changes) {
    switch (c.kind) {
      case 'post':
        for (const k of ['posts', `post-${c.id}`, 'categories', 'tags', 'authors']) keys.add(k)
        break
      case 'comment':
        keys.add(`post-${c.postId}`)
        break
      case 'site':
        keys.add('site')
        break
      default:
        keys.add(c.kind === 'category' ? 'categories' : `${c.kind}s`)
        keys.add('posts')
    }
  }
  return [...keys].sort()
}
