import Value from 'typebox/value'
import type { StoredNavigation, StoredNavItem } from '../../db/schema.js'
import { MAX_NAV_DEPTH } from '../site/site-navigation.js'
import { UpdateSiteBody } from '../site/site-schemas.js'
import type { ImportContext } from './imports-context.js'
import { clip, plain } from './imports-values.js'

// WordPress nav menus (nav_menu_item items, grouped by their nav_menu term) as the site's two
// navigation menus. Items are collected as the file is read and resolved at the end, when every
// page, post and term they may name has been imported.
//
// Which menu goes where: WordPress keeps theme locations outside the export, so a menu named
// or slugged primary, main, header or top is `primary` and one named secondary, footer or
// sub `secondary`; the others fill the free slots, largest first (ties: first in the file).
// Menus beyond two are left out with a warning.

/** One nav_menu_item as a reader hands it over. */
export interface ImportMenuItem {
  ref: string
  menu: { slug: string, name: string }
  sourceId: string
  /** _menu_item_menu_item_parent: the source id of the item above it, or null. */
  parentId: string | null
  order: number
  /** The item's own label (empty: WordPress shows its target's title). */
  title: string
  /** _menu_item_type: post_type, taxonomy, custom (post_type_archive…: unsupported). */
  type: string
  /** _menu_item_object: page, post, category, post_tag, custom… */
  object: string
  objectId: string | null
  url: string | null
}

/** What a menu item may point at, as this run imported it. */
export interface MenuTargets {
  page: (sourceId: string) => { id: number, title: string } | undefined
  post: (sourceId: string) => { id: number, title: string } | undefined
  category: (termId: string) => { id: number, name: string } | undefined
  tag: (termId: string) => { id: number, name: string } | undefined
}

const LABEL_MAX = 100
const ITEMS_MAX = 50
const URL_FORM = /^(https?:\/\/\S+|\/(?!\/)\S*)$/

const PRIMARY = /(^|[-_\s])(primary|main|header|top)($|[-_\s])/i
const SECONDARY = /(^|[-_\s])(secondary|footer|sub|bottom)($|[-_\s])/i

type Resolved = { ok: Omit<StoredNavItem, 'children' | 'label'> & { label: string } } | { reason: string }

/** Picks the primary and secondary menu among the file's menus (slugs), in that order. */
export function chooseMenus (menus: Array<{ slug: string, name: string, items: number }>): { primary?: string, secondary?: string, left: string[] } {
  const byName = (re: RegExp) => menus.find((m) => re.test(m.slug) || re.test(m.name))?.slug
  let primary = byName(PRIMARY)
  let secondary = byName(SECONDARY)
  if (secondary === primary) secondary = undefined
  // Largest first; sort is stable, so ties keep the file's order.
  const rest = [...menus].sort((a, b) => b.items - a.items).map((m) => m.slug).filter((s) => s !== primary && s !== secondary)
  primary ??= rest.shift()
  secondary ??= rest.shift()
  return { primary, secondary, left: rest }
}

export function createNavigationImporter (ctx: ImportContext, opts: { replace: boolean }) {
  const { report, item, writes, repo } = ctx
  const items: ImportMenuItem[] = []

  function resolve (it: ImportMenuItem, targets: MenuTargets): Resolved {
    const label = (t: string | undefined) => clip(plain(it.title, LABEL_MAX * 2) || (t ?? ''), LABEL_MAX).trim()
    const viaUrl = (why: string): Resolved => {
      const url = (it.url ?? '').trim()
      if (url.length <= 2000 && URL_FORM.test(url)) return { ok: { label: label(url), url } }
      return { reason: why }
    }
    const id = it.objectId ?? ''
    if (it.type === 'post_type' && (it.object === 'page' || it.object === 'post')) {
      const found = it.object === 'page' ? targets.page(id) : targets.post(id)
      if (found === undefined) return viaUrl(`its ${it.object} (wp:${id}) was not imported`)
      return { ok: { label: label(found.title), [`${it.object}_id`]: found.id } }
    }
    if (it.type === 'taxonomy' && (it.object === 'category' || it.object === 'post_tag')) {
      const kind = it.object === 'category' ? 'category' : 'tag'
      const found = targets[kind](id)
      if (found === undefined) return viaUrl(`its ${kind} (term ${id}) is not in the file`)
      return { ok: { label: label(found.name), [`${kind}_id`]: found.id } }
    }
    if (it.type === 'custom') return viaUrl(`its link "${clip(it.url ?? '', 100)}" is not an http(s) URL or a path`)
    return viaUrl(`it links to a ${it.type || 'kind of'} ${it.object || 'target'} Broadsheet has no counterpart for`)
  }

  /** One menu as stored navigation: resolved, nested at most MAX_NAV_DEPTH levels, 50 items a level. */
  function build (menuItems: ImportMenuItem[], targets: MenuTargets, name: string): StoredNavItem[] {
    const bySource = new Map(menuItems.map((it) => [it.sourceId, it]))
    const children = new Map<string | null, ImportMenuItem[]>()
    for (const it of menuItems) {
      let parent = it.parentId !== null && bySource.has(it.parentId) ? it.parentId : null
      if (it.parentId !== null && parent === null) report.warn(`menu "${name}": ${it.ref}'s parent item (${it.parentId}) is not in the menu: placed at the top`)
      if (parent === it.sourceId) parent = null
      const list = children.get(parent) ?? []
      list.push(it)
      children.set(parent, list)
    }
    for (const list of children.values()) list.sort((a, b) => a.order - b.order)
    const seen = new Set<string>()
    let flattened = 0
    let dropped = 0
    // Items (and the resolved items they stand for) below `parent`; an unusable item gives its place to its children.
    const walk = (parent: string | null, depth: number): StoredNavItem[] => {
      const out: StoredNavItem[] = []
      for (const it of children.get(parent) ?? []) {
        if (seen.has(it.sourceId)) continue
        seen.add(it.sourceId)
        const r = resolve(it, targets)
        if ('reason' in r) {
          report.skip('menu_item', it.ref, `menu "${name}": ${r.reason}${(children.get(it.sourceId)?.length ?? 0) > 0 ? ' (the items below it take its place)' : ''}`)
          out.push(...walk(it.sourceId, depth))
          continue
        }
        const node: StoredNavItem = { ...r.ok }
        if (depth < MAX_NAV_DEPTH) {
          const below = walk(it.sourceId, depth + 1)
          if (below.length > 0) node.children = below
          out.push(node)
        } else {
          // The deepest level holds no children: what is below comes after it, on its level.
          const below = walk(it.sourceId, depth)
          flattened += below.length
          out.push(node, ...below)
        }
      }
      if (out.length > ITEMS_MAX) {
        dropped += out.length - ITEMS_MAX
        out.length = ITEMS_MAX
      }
      return out
    }
    const top = walk(null, 1)
    // Items whose parents form a loop were never reached from the top.
    const loop = menuItems.filter((it) => !seen.has(it.sourceId))
    if (loop.length > 0) {
      report.warn(`menu "${name}": ${loop.length} item(s) whose parents form a loop were placed at the top`)
      for (const it of loop) children.set(`loop:${it.sourceId}`, [it])
      for (const it of loop) top.push(...walk(`loop:${it.sourceId}`, 1))
      if (top.length > ITEMS_MAX) {
        dropped += top.length - ITEMS_MAX
        top.length = ITEMS_MAX
      }
    }
    if (flattened > 0) report.warn(`menu "${name}": ${flattened} item(s) nested deeper than ${MAX_NAV_DEPTH} levels were moved up to the third level`)
    if (dropped > 0) report.warn(`menu "${name}": ${dropped} item(s) beyond ${ITEMS_MAX} on one level were left out`)
    return top
  }

  function countItems (menu: StoredNavItem[]): number {
    return menu.reduce((n, it) => n + 1 + countItems(it.children ?? []), 0)
  }

  return {
    /** A nav_menu_item of the file, kept for the end. */
    add (it: ImportMenuItem): void {
      items.push(it)
    },

    /** Builds the menus and writes them to the site's navigation (one transaction). */
    finish (targets: MenuTargets): void {
      if (items.length === 0) return
      const menus = new Map<string, { slug: string, name: string, items: ImportMenuItem[] }>()
      for (const it of items) {
        const menu = menus.get(it.menu.slug) ?? { ...it.menu, items: [] }
        menu.items.push(it)
        menus.set(it.menu.slug, menu)
      }
      report.summary.navigation.menus = menus.size
      const choice = chooseMenus([...menus.values()].map((m) => ({ slug: m.slug, name: m.name, items: m.items.length })))
      for (const slug of choice.left) report.warn(`menu "${menus.get(slug)!.name}" was not imported: the site has two menus (primary: "${menus.get(choice.primary!)!.name}", secondary: "${menus.get(choice.secondary!)!.name}")`)
      const next: Partial<StoredNavigation> = {}
      if (choice.primary !== undefined) next.primary = build(menus.get(choice.primary)!.items, targets, menus.get(choice.primary)!.name)
      if (choice.secondary !== undefined) next.secondary = build(menus.get(choice.secondary)!.items, targets, menus.get(choice.secondary)!.name)
      items.length = 0
      item('navigation', 'site navigation', () => {
        const current = repo.siteNavigation()
        const slots = Object.keys(next) as Array<keyof StoredNavigation>
        const same = slots.every((s) => JSON.stringify(current[s]) === JSON.stringify(next[s]))
        const taken = slots.filter((s) => current[s].length > 0 && JSON.stringify(current[s]) !== JSON.stringify(next[s]))
        if (!same && taken.length > 0 && !opts.replace) {
          report.warn(`the site already has its own ${taken.join(' and ')} navigation: the file's menus were not applied (import with navigation=replace to replace them)`)
          return
        }
        // The body PATCH /v1/site would take: what the checks above missed is refused here, not stored.
        const body = { navigation: next }
        if (!Value.Check(UpdateSiteBody, body)) {
          const first = [...Value.Errors(UpdateSiteBody, body)][0]
          throw new Error(`the menus do not pass the checks of PATCH /v1/site: ${first?.instancePath ?? ''} ${first?.message ?? ''}`.trim())
        }
        if (!same) writes.site.update(body)
        report.summary.navigation.applied = true
        report.summary.navigation.items = slots.reduce((n, s) => n + countItems(next[s]!), 0)
      })
    }
  }
}
export type NavigationImporter = ReturnType<typeof createNavigationImporter>
