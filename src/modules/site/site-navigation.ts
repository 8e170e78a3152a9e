import type { StoredNavigation, StoredNavItem } from '../../db/schema.js'
import { FieldError } from '../../errors.js'

// Navigation menus: stored as written (a label and one target: a URL, or the id of a page,
// category, tag or post) and resolved to current URLs when read, so a renamed page or a post
// moved to another category never leaves a stale link in a menu.

export const MENUS = ['primary', 'secondary'] as const
export type MenuName = typeof MENUS[number]
export const TARGETS = ['page', 'category', 'tag', 'post'] as const
export type TargetKind = typeof TARGETS[number]
/** The deepest a menu nests: an item, its children, theirs. */
export const MAX_NAV_DEPTH = 3

/** Where a target stands now: its URL when the public may follow it, else why not. */
export type TargetState = { url: string } | 'missing' | 'hidden'

/** How targets are looked up: by id, whatever their status (`exists`), and as the public sees them (`resolve`). */
export interface NavigationTargets {
  exists: (kind: TargetKind, id: number) => boolean
  resolve: (kind: TargetKind, id: number, now: number) => TargetState
}

export interface NavItem {
  label: string
  url: string
  type: 'url' | TargetKind
  id: number | null
  children: NavItem[]
}
export interface NavIssue { menu: MenuName, path: string, label: string, reason: string }
export interface ResolvedNavigation { primary: NavItem[], secondary: NavItem[], issues: NavIssue[], kinds: Set<TargetKind> }

/** The target of an item: its kind and id, or its URL. */
function targetOf (item: StoredNavItem): { kind: TargetKind, id: number } | { url: string } | null {
  const given: Array<{ kind: TargetKind, id: number } | { url: string }> = []
  if (item.url !== undefined) given.push({ url: item.url })
  for (const kind of TARGETS) {
    const id = item[`${kind}_id`]
    if (id !== undefined) given.push({ kind, id })
  }
  return given.length === 1 ? given[0] : null
}

/**
 * Checks menus before they are stored: each item has exactly one target and every id names an
 * existing page, category, tag or post (any status: a draft page may wait in a menu until it
 * is published). A 422 names each item at fault by its path (navigation.primary.0.children.1).
 */
export function checkNavigation (navigation: Partial<StoredNavigation>, targets: Pick<NavigationTargets, 'exists'>): void {
  const errors: Array<{ in: string, path: string, message: string }> = []
  const walk = (items: StoredNavItem[], path: string, depth: number) => {
    items.forEach((item, i) => {
      const at = `${path}.${i}`
      const target = targetOf(item)
      if (target === null) {
        errors.push({ in: 'body', path: at, message: `item "${item.label}" needs exactly one of url, page_id, category_id, tag_id, post_id` })
      } else if ('kind' in target && !targets.exists(target.kind, target.id)) {
        errors.push({ in: 'body', path: `${at}.${target.kind}_id`, message: `item "${item.label}": ${target.kind} ${target.id} does not exist` })
      }
      if (item.children !== undefined) {
        if (depth >= MAX_NAV_DEPTH) errors.push({ in: 'body', path: `${at}.children`, message: `menus nest at most ${MAX_NAV_DEPTH} levels` })
        else walk(item.children, `${at}.children`, depth + 1)
      }
    })
  }
  for (const menu of MENUS) walk(navigation[menu] ?? [], `navigation.${menu}`, 1)
  if (errors.length > 0) throw new FieldError(errors, 422)
}

/**
 * The menus as a reader follows them now: each item with its current URL. An item whose
 * target is gone or not public (a draft page, a category without live posts) is left out with
 * everything below it, and reported in `issues` (shown to admins only).
 */
export function resolveNavigation (stored: StoredNavigation, targets: Pick<NavigationTargets, 'resolve'>, now: number): ResolvedNavigation {
  const issues: NavIssue[] = []
  const kinds = new Set<TargetKind>()
  const walk = (menu: MenuName, items: StoredNavItem[], path: string): NavItem[] => items.flatMap((item, i) => {
    const at = `${path}.${i}`
    const target = targetOf(item)
    if (target === null) return []
    let out: Pick<NavItem, 'url' | 'type' | 'id'>
    if ('url' in target) {
      out = { url: target.url, type: 'url', id: null }
    } else {
      kinds.add(target.kind)
      const state = targets.resolve(target.kind, target.id, now)
      if (state === 'missing' || state === 'hidden') {
        issues.push({ menu, path: at, label: item.label, reason: state === 'missing' ? `${target.kind} ${target.id} no longer exists` : `${target.kind} ${target.id} is not public` })
        return []
      }
      out = { url: state.url, type: target.kind, id: target.id }
    }
    return [{ label: item.label, ...out, children: walk(menu, item.children ?? [], `${at}.children`) }]
  })
  return { primary: walk('primary', stored.primary, 'primary'), secondary: walk('secondary', stored.secondary, 'secondary'), issues, kinds }
}

/** What menu targets are looked up in: narrow views of the pages, terms and posts reads. */
export interface NavigationSources {
  /** The page tree now: which pages exist, their paths, which the public sees. */
  pages: { tree: (now: number) => { byId: ReadonlyMap<number, unknown>, path: ReadonlyMap<number, string>, live: ReadonlySet<number> } }
  categories: { findByRef: (ref: { id: number }, scope: 'public' | 'all') => { slug: string } | undefined }
  tags: { findByRef: (ref: { id: number }, scope: 'public' | 'all') => { slug: string } | undefined }
  /** A post by id at a visibility; its public URL comes from `url`. */
  posts: { exists: (id: number) => boolean, publicUrl: (id: number, now: number) => string | undefined }
  siteUrl: string
}

/**
 * Menu targets over the site's content: a page's URL is SITE_URL/{path}, a category's
 * SITE_URL/{slug} (as feeds link it), a tag's SITE_URL/tag/{slug}, a post's its url.
 */
export function createNavigationTargets (src: NavigationSources): NavigationTargets {
  const { siteUrl } = src
  return {
    exists (kind, id) {
      switch (kind) {
        case 'page': return src.pages.tree(Date.now()).byId.has(id)
        case 'category': return src.categories.findByRef({ id }, 'all') !== undefined
        case 'tag': return src.tags.findByRef({ id }, 'all') !== undefined
        case 'post': return src.posts.exists(id)
      }
    },
    resolve (kind, id, now) {
      switch (kind) {
        case 'page': {
          const tree = src.pages.tree(now)
          if (!tree.byId.has(id)) return 'missing'
          return tree.live.has(id) ? { url: `${siteUrl}/${tree.path.get(id)!}` } : 'hidden'
        }
        case 'category':
        case 'tag': {
          const repo = kind === 'category' ? src.categories : src.tags
          const found = repo.findByRef({ id }, 'public')
          if (found !== undefined) return { url: kind === 'category' ? `${siteUrl}/${found.slug}` : `${siteUrl}/tag/${found.slug}` }
          return repo.findByRef({ id }, 'all') === undefined ? 'missing' : 'hidden'
        }
        case 'post': {
          const url = src.posts.publicUrl(id, now)
          if (url !== undefined) return { url }
          return src.posts.exists(id) ? 'hidden' : 'missing'
        }
      }
    }
  }
}
