import type { ImportContext, ItemTx } from './imports-context.js'
import type { ImportTerm } from './imports-items.js'
import type { Outcome } from './imports-summary.js'
import { clip, importSlug, plain } from './imports-values.js'

export type TermKind = 'categories' | 'tags'

/**
 * Categories and tags, matched by slug. A term an item names is created when new and
 * otherwise left alone; a declared one also brings its name and description up to date.
 * Declared categories may come before their parents: each one's parent is noted, and
 * `linkCategories` sets them once they all exist.
 */
export function createTermImporter ({ repo, writes, report, item, declaration }: ImportContext) {
  const kinds = {
    categories: { one: 'category', untitled: 'Uncategorized', find: repo.categoryBySlug, service: writes.categories },
    tags: { one: 'tag', untitled: 'tag', find: repo.tagBySlug, service: writes.tags }
  }
  // The parent slug of each declared category ('' for the top), until linkCategories.
  const parents = new Map<string, string>()
  // What this run did to each declared category so far, so linking a parent counts it right.
  const categoryOutcome = new Map<string, Outcome>()

  function nameOf (kind: TermKind, term: ImportTerm): string {
    return plain(term.name, 200) || clip(term.slug ?? '', 200) || kinds[kind].untitled
  }
  function slugOf (kind: TermKind, term: ImportTerm): string {
    return importSlug(term.slug, nameOf(kind, term), kinds[kind].one)
  }

  /** The term's id, creating the term when new. */
  function idOf (kind: TermKind, term: ImportTerm, declared: boolean, tx: ItemTx): number {
    const { find, service } = kinds[kind]
    const name = nameOf(kind, term)
    const slug = slugOf(kind, term)
    const description = term.description === undefined ? undefined : plain(term.description, 5000)
    const existing = find(slug)
    if (existing === undefined) {
      const id = service.create({ name, slug, description })
      tx.count(kind, 'created')
      if (declared && kind === 'categories') categoryOutcome.set(slug, 'created')
      return id
    }
    if (declared) {
      const changed = existing.name !== name || (description !== undefined && existing.description !== description)
      if (changed) service.update(existing.id, { name, description })
      const outcome = changed ? 'updated' : 'unchanged'
      tx.count(kind, outcome)
      if (kind === 'categories' && !categoryOutcome.has(slug)) categoryOutcome.set(slug, outcome)
    }
    return existing.id
  }

  return {
    idOf,

    /** The term a slug and name give, if it exists (nothing is created). */
    existing (kind: TermKind, term: ImportTerm): { id: number, name: string } | undefined {
      const row = kinds[kind].find(slugOf(kind, term))
      return row === undefined ? undefined : { id: row.id, name: row.name }
    },

    /** A term the file declares, as its own transaction; a category's parent (a slug) is linked later. */
    declare (kind: TermKind, term: ImportTerm & { parent?: string }): void {
      const ref = term.slug ?? term.name
      const id = item(kinds[kind].one, ref, (tx) => idOf(kind, term, true, declaration(`${kinds[kind].one}:${ref}`, tx)))
      if (id === undefined || kind !== 'categories') return
      parents.set(slugOf(kind, term), term.parent?.trim() ? importSlug(term.parent, term.parent, 'category') : '')
    },

    /** Sets the parents of the declared categories (idempotent; call once they all exist). */
    linkCategories (): void {
      for (const [slug, parentSlug] of parents) {
        const child = repo.categoryBySlug(slug)
        if (child === undefined) continue
        let parentId: number | null = null
        if (parentSlug !== '') {
          const parent = repo.categoryBySlug(parentSlug)
          if (parent === undefined) {
            report.warn(`category ${slug} names parent ${parentSlug}, which is not in the file: left at the top level`)
            continue
          }
          parentId = parent.id
        }
        if (child.parentId === parentId) continue
        const before = categoryOutcome.get(slug)
        item('category', slug, (tx) => {
          writes.categories.update(child.id, { parent_id: parentId })
          // A category counted unchanged when declared has changed after all.
          if (before === 'unchanged') {
            report.summary.unchanged.categories--
            tx.count('categories', 'updated')
            categoryOutcome.set(slug, 'updated')
          } else if (before === undefined) {
            tx.count('categories', 'updated')
          }
        })
      }
      parents.clear()
    }
  }
}
export type TermImporter = ReturnType<typeof createTermImporter>
