import type { ContentChange } from '../db/change-bus.js'

// The surrogate keys of public responses (the Surrogate-Key header a CDN or Varnish purges by),
// one vocabulary for the routes that declare them and for what a write invalidates:
//   posts            every post list, search, related posts and feeds
//   post-<id>        one post and its comment thread
//   categories, tags, authors   those lists and single reads (they carry post counts)
//   pages            every page list
//   page-<id>        one page
//   site             the site settings (and feeds, which carry the site title); the site read
//                    also names the keys of what its navigation links to
//   changes          the change log
// The caching plugin sends the route's keys and purges `keysForChanges` of every commit.

export const POSTS_KEY = 'posts'
export const SITE_KEY = 'site'
export const CHANGES_KEY = 'changes'
export const PAGES_KEY = 'pages'

/** The key of one page. */
export function pageKey (id: number): string {
  return `page-${id}`
}

/** The key of one post and its comment thread. */
export function postKey (id: number): string {
  return `post-${id}`
}

/** The key of a kind of term's lists and single reads: its plural (categories, tags, authors). */
export function termKey (kind: 'category' | 'tag' | 'author'): string {
  return kind === 'category' ? 'categories' : `${kind}s`
}

/** The keys a committed set of changes invalidates. */
export function keysForChanges (changes: ContentChange[]): string[] {
  const keys = new Set<string>([CHANGES_KEY])
  for (const c of changes) {
    switch (c.kind) {
      case 'post':
        for (const k of [POSTS_KEY, postKey(c.id), termKey('category'), termKey('tag'), termKey('author')]) keys.add(k)
        break
      case 'comment':
        keys.add(postKey(c.postId))
        break
      case 'site':
        keys.add(SITE_KEY)
        break
      case 'page':
        // A page's slug and status are part of its children's path and visibility, so page
        // reads name `pages` as well as their own key, and every page write purges them.
        keys.add(PAGES_KEY)
        keys.add(pageKey(c.id))
        break
      default:
        keys.add(termKey(c.kind))
        keys.add(POSTS_KEY)
    }
  }
  return [...keys].sort()
}
