import type { Db } from '../../db/client.js'
import type { Writer } from '../../db/write.js'
import { FieldError, InUse, NotFound, SlugConflict } from '../../errors.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { createCategoriesWriter } from './categories-repository.js'
import { touchPosts } from '../posts/posts-write-service.js'
import { createTermVisibility } from '../../db/term-visibility.js'
import type { Emit } from '../../db/write.js'

export interface CategoryInput { name?: string, slug?: string, description?: string, parent_id?: number | null }
interface Raw { id: number, slug: string, name: string, description: string, parent_id: number | null }

/**
 * Category writes. The tree never gets a cycle (422); deleting a category in use is a 409
 * unless `reassign` names a category to move its posts to; its sub-categories move up to
 * its parent, as WordPress does.
 */
export function createCategoriesService (db: Db, write: Writer) {
  const w = createCategoriesWriter(db)
  const visibility = createTermVisibility(db)

  // A category is public while it or a sub-category has a live post, so moving a category or
  // deleting one (its posts go to another) can show or hide the categories above: whether each
  // was public is taken before the change, and the difference announced after it.
  function publicNow (ids: number[], now: number): Map<number, boolean> {
    return new Map(ids.map((id) => [id, visibility.hasLivePost('category', id, now)]))
  }
  function announce (emit: Emit, before: Map<number, boolean>, now: number): void {
    for (const [id, was] of before) {
      const slug = visibility.slugOf('category', id)
      if (slug === undefined || was === visibility.hasLivePost('category', id, now)) continue
      emit(was ? { kind: 'category', id, slug, action: 'delete', wasPublic: true } : { kind: 'category', id, slug, action: 'upsert' })
    }
  }

  function load (id: number): Raw {
    const row = w.raw.get(id) as Raw | undefined
    if (row === undefined) throw new NotFound('Category', String(id))
    return row
  }
  function checkParent (id: number | null, parentId: number | null | undefined): void {
    if (parentId === undefined || parentId === null) return
    if (!w.raw.get(parentId)) throw new FieldError([{ in: 'body', path: 'parent_id', message: `category ${parentId} does not exist` }], 422)
    if (id !== null && (w.ancestors.all(parentId) as number[]).includes(id)) {
      throw new FieldError([{ in: 'body', path: 'parent_id', message: 'would make the category its own ancestor (a cycle)' }], 422)
    }
  }
  function pickSlug (explicit: string | undefined, name: string, id: number | null): string {
    if (explicit !== undefined) {
      if (w.slugTaken.get(explicit, id)) throw new SlugConflict('category', explicit)
      return explicit
    }
    return uniqueSlug(slugify(name, 'category'), (s) => Boolean(w.slugTaken.get(s, id)))
  }

  return {
    create (input: CategoryInput & { name: string }): number {
      checkParent(null, input.parent_id)
      return write((emit, now) => {
        const slug = pickSlug(input.slug, input.name, null)
        const id = w.insert.get({ slug, name: input.name, description: input.description ?? '', parent_id: input.parent_id ?? null, now }) as number
        emit({ kind: 'category', id, slug, action: 'upsert' })
        return id
      })
    },
    update (id: number, input: CategoryInput): void {
      write((emit, now) => {
        const old = load(id)
        checkParent(id, input.parent_id)
        const next = {
          id,
          slug: input.slug !== undefined && input.slug !== old.slug ? pickSlug(input.slug, old.name, id) : old.slug,
          name: input.name ?? old.name,
          description: input.description ?? old.description,
          parent_id: input.parent_id === undefined ? old.parent_id : input.parent_id,
          now
        }
        const moved = next.parent_id !== old.parent_id
        const above = moved ? publicNow(visibility.withAncestors([old.parent_id, next.parent_id].filter((p) => p !== null)), now) : undefined
        w.update.run(next)
        emit({ kind: 'category', id, slug: next.slug, action: 'upsert' })
        if (above !== undefined) announce(emit, above, now)
        if (next.slug !== old.slug || next.name !== old.name) touchPosts(db, emit, w.postsOf.all(id) as number[])
      })
    },
    remove (id: number, reassignTo?: number): void {
      write((emit, now) => {
        const old = load(id)
        const used = w.usage.get(id) as number
        if (used > 0 && reassignTo === undefined) {
          throw new InUse(`Category "${old.slug}" is used by ${used} post(s): pass ?reassign=<category> to move them`)
        }
        const affected = w.postsOf.all(id) as number[]
        const wasPublic = visibility.hasLivePost('category', id, now)
        const around = publicNow(visibility.withAncestors([old.parent_id, reassignTo].filter((p): p is number => p !== null && p !== undefined && p !== id)), now)
        if (reassignTo !== undefined) {
          if (reassignTo === id) throw new FieldError([{ in: 'query', path: 'reassign', message: 'cannot reassign to the category being deleted' }], 422)
          load(reassignTo)
          w.reassign.run({ from: id, to: reassignTo })
          w.dropLinks.run(id)
        }
        for (const child of w.children.all(id) as Array<{ id: number, slug: string }>) {
          emit({ kind: 'category', id: child.id, slug: child.slug, action: 'upsert' })
        }
        w.reparent.run(old.parent_id, now, id)
        w.remove.run(id)
        emit({ kind: 'category', id, slug: old.slug, action: 'delete', wasPublic })
        announce(emit, around, now)
        touchPosts(db, emit, affected)
      })
    }
  }
}
export type CategoriesService = ReturnType<typeof createCategoriesService>
