import type { Db } from '../../db/client.js'
import type { Emit, Writer } from '../../db/write.js'
import type { EngineTermVisibility, TermVisibility } from '../../db/term-visibility.js'
import type { EngineTx } from '../../db/engine-port.js'
import type { EngineWrite } from '../../db/engine-write.js'
import { FieldError, InUse, NotFound, SlugConflict } from '../../errors.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { touchPosts } from '../posts/posts-write-service.js'
import { createTermsSyncWriter, type TermsWriter } from './terms-repository.js'
import type { AnyTermKind, TermInputOf } from './terms-kind.js'
import { touchedPosts } from '../posts/posts-touched.js'

/** A tree term's parent, on a row or in a body's columns (null at the top, and in a flat kind). */
function parentOf (values: object): number | null {
  return 'parentId' in values && typeof values.parentId === 'number' ? values.parentId : null
}

/**
 * The synchronous twin of createTermsService (below) on SQLite, for callers inside a synchronous
 * write of their own: the WXR import's items (src/modules/imports, not yet ported). Same rules,
 * same changes; it goes once the import writes through the engine-neutral writer.
 *
 * Writes of one kind of term, each one transaction through the writer, announced on the change
 * bus. A slug is made from the name when absent (made unique with -2, -3…); an explicit one
 * already taken is a 409. Deleting a term still in use is a 409 unless `reassign` names the
 * term that takes its posts over. In a tree (categories) a cycle is a 422 and a deleted term's
 * children move up to its parent, as WordPress does.
 */
export function createTermsSyncService<K extends AnyTermKind> (db: Db, write: Writer, kind: K, visibility: TermVisibility) {
  const w = createTermsSyncWriter(db, kind)
  const { name } = kind

  function load (id: number) {
    const row = w.load(id)
    if (row === undefined) throw new NotFound(kind.label, String(id))
    return row
  }
  function pickSlug (explicit: string | undefined, termName: string, id = 0): string {
    if (explicit !== undefined) {
      if (w.slugTaken(explicit, id)) throw new SlugConflict(name, explicit)
      return explicit
    }
    return uniqueSlug(slugify(termName, name), (slug) => w.slugTaken(slug, id))
  }

  // A tree's parent may be named by slug, as reads take `{ref}`: the input with its id.
  function withParentId<I extends TermInputOf<K>> (input: I): I {
    if (!kind.tree || typeof input.parent_id !== 'string') return input
    const parentId = w.idBySlug(input.parent_id)
    if (parentId === undefined) throw new FieldError([{ in: 'body', path: 'parent_id', message: `${name} "${input.parent_id}" does not exist` }], 422)
    return { ...input, parent_id: parentId }
  }

  // A tree's parent must exist and must not lie below the term itself (id 0: a new term).
  function checkParent (id: number, parentId: number | null): void {
    if (parentId === null) return
    if (w.load(parentId) === undefined) throw new FieldError([{ in: 'body', path: 'parent_id', message: `${name} ${parentId} does not exist` }], 422)
    if (id !== 0 && visibility.withAncestors([parentId]).includes(id)) {
      throw new FieldError([{ in: 'body', path: 'parent_id', message: `would make the ${name} its own ancestor (a cycle)` }], 422)
    }
  }
  // A tree term is public while it or one below it has a live post, so moving or deleting one
  // can show or hide those above: whether each was public is taken before the change, and the
  // difference announced after it.
  function publicNow (ids: number[], now: number): Map<number, boolean> {
    return new Map(ids.map((id) => [id, visibility.hasLivePost(name, id, now)]))
  }
  function announce (emit: Emit, before: Map<number, boolean>, now: number): void {
    for (const [id, was] of before) {
      const slug = visibility.slugOf(name, id)
      if (slug === undefined || was === visibility.hasLivePost(name, id, now)) continue
      emit(was ? { kind: name, id, slug, action: 'delete', wasPublic: true } : { kind: name, id, slug, action: 'upsert', wasPublic: false })
    }
  }

  return {
    create (input: TermInputOf<K> & { name: string }): number {
      const columns = given(kind.columns(withParentId(input)))
      if (kind.tree) checkParent(0, parentOf(columns))
      return write((emit, now) => {
        const slug = pickSlug(input.slug, input.name)
        const id = w.insert({ ...columns, slug, name: input.name, createdAt: now, updatedAt: now })
        emit({ kind: name, id, slug, action: 'upsert' })
        return id
      })
    },
    update (id: number, input: TermInputOf<K>): void {
      write((emit, now) => {
        const old = load(id)
        const columns = given(kind.columns(withParentId(input)))
        if (kind.tree) checkParent(id, parentOf(columns))
        const slug = input.slug !== undefined && input.slug !== old.slug ? pickSlug(input.slug, old.name, id) : old.slug
        const next = { ...old, ...columns, slug, name: input.name ?? old.name }
        const moved = kind.tree && parentOf(next) !== parentOf(old)
        const above = moved ? publicNow(visibility.withAncestors([parentOf(old), parentOf(next)].filter((p): p is number => p !== null)), now) : undefined
        w.update(id, { ...columns, slug, name: next.name, updatedAt: now })
        emit({ kind: name, id, slug, action: 'upsert' })
        if (above !== undefined) announce(emit, above, now)
        const before = kind.shownOnPosts(old)
        if (kind.shownOnPosts(next).some((value, i) => value !== before[i])) {
          // In a tree, the terms below show it in their `path`: they changed too.
          for (const below of w.descendants(id)) emit({ kind: name, id: below.id, slug: below.slug, action: 'upsert' })
          touchPosts(db, emit, w.postsUnder(id))
        }
      })
    },
    remove (id: number, reassignTo?: number): void {
      write((emit, now) => {
        const old = load(id)
        const wasPublic = visibility.hasLivePost(name, id, now)
        const used = w.usage(id)
        if (used > 0 && reassignTo === undefined) {
          throw new InUse(`${kind.label} "${old.slug}" has ${used} post(s): pass ?reassign=<${name}> to move them`)
        }
        // In a tree, the posts below it too: its children move up, so their paths change.
        const affected = w.postsUnder(id)
        const around = kind.tree
          ? publicNow(visibility.withAncestors([parentOf(old), reassignTo ?? null].filter((p): p is number => p !== null && p !== id)), now)
          : undefined
        let heirWasPublic = false
        if (reassignTo !== undefined) {
          if (reassignTo === id) throw new FieldError([{ in: 'query', path: 'reassign', message: `cannot reassign to the ${name} being deleted` }], 422)
          load(reassignTo)
          heirWasPublic = visibility.hasLivePost(name, reassignTo, now)
          w.movePosts(id, reassignTo)
        }
        if (kind.tree) {
          // Its children move up; they and every term below them show a shorter `path`.
          for (const below of w.descendants(id)) emit({ kind: name, id: below.id, slug: below.slug, action: 'upsert' })
          w.moveChildren(id, parentOf(old), now)
        }
        w.remove(id)
        emit({ kind: name, id, slug: old.slug, action: 'delete', wasPublic })
        if (around !== undefined) {
          announce(emit, around, now)
        } else if (reassignTo !== undefined) {
          // The term that took the posts over may have become public with them.
          emit({ kind: name, id: reassignTo, slug: load(reassignTo).slug, action: 'upsert', wasPublic: heirWasPublic })
        }
        touchPosts(db, emit, affected)
      })
    }
  }
}
export type TermsSyncService<K extends AnyTermKind> = ReturnType<typeof createTermsSyncService<K>>

/**
 * Writes of one kind of term on either engine (src/db/engine-write.ts), each one transaction,
 * announced on the change bus: the rules of createTermsSyncService above. A slug is made from
 * the name when absent (made unique with -2, -3…); an explicit one already taken is a 409.
 * Deleting a term still in use is a 409 unless `reassign` names the term that takes its posts
 * over. In a tree (categories) a cycle is a 422 and a deleted term's children move up to its
 * parent. Everything is read inside the write, through `tx`.
 */
export function createTermsService<K extends AnyTermKind> (deps: { write: EngineWrite, writer: TermsWriter<K>, visibility: EngineTermVisibility }, kind: K) {
  const { write, writer: w, visibility } = deps
  const { name } = kind

  async function load (tx: EngineTx, id: number) {
    const row = await w.load(tx, id)
    if (row === undefined) throw new NotFound(kind.label, String(id))
    return row
  }
  async function pickSlug (tx: EngineTx, explicit: string | undefined, termName: string, id = 0): Promise<string> {
    if (explicit !== undefined) {
      if (await w.slugTaken(tx, explicit, id)) throw new SlugConflict(name, explicit)
      return explicit
    }
    // uniqueSlug asks synchronously: the candidates it would try, asked in turn.
    const taken = new Set<string>()
    for (;;) {
      let asked: string | undefined
      const slug = uniqueSlug(slugify(termName, name), (candidate) => {
        if (taken.has(candidate)) return true
        asked = candidate
        return false
      })
      if (asked === undefined || !await w.slugTaken(tx, slug, id)) return slug
      taken.add(slug)
    }
  }
  async function withParentId<I extends TermInputOf<K>> (tx: EngineTx, input: I): Promise<I> {
    if (!kind.tree || typeof input.parent_id !== 'string') return input
    const parentId = await w.idBySlug(tx, input.parent_id)
    if (parentId === undefined) throw new FieldError([{ in: 'body', path: 'parent_id', message: `${name} "${input.parent_id}" does not exist` }], 422)
    return { ...input, parent_id: parentId }
  }
  async function checkParent (tx: EngineTx, id: number, parentId: number | null): Promise<void> {
    if (parentId === null) return
    if (await w.load(tx, parentId) === undefined) throw new FieldError([{ in: 'body', path: 'parent_id', message: `${name} ${parentId} does not exist` }], 422)
    if (id !== 0 && (await visibility.withAncestors([parentId], tx)).includes(id)) {
      throw new FieldError([{ in: 'body', path: 'parent_id', message: `would make the ${name} its own ancestor (a cycle)` }], 422)
    }
  }
  async function publicNow (tx: EngineTx, ids: number[], now: number): Promise<Map<number, boolean>> {
    const out = new Map<number, boolean>()
    for (const id of ids) out.set(id, await visibility.hasLivePost(name, id, now, 0, tx))
    return out
  }
  async function announce (tx: EngineTx, emit: Emit, before: Map<number, boolean>, now: number): Promise<void> {
    for (const [id, was] of before) {
      const slug = await visibility.slugOf(name, id, tx)
      if (slug === undefined || was === await visibility.hasLivePost(name, id, now, 0, tx)) continue
      emit(was ? { kind: name, id, slug, action: 'delete', wasPublic: true } : { kind: name, id, slug, action: 'upsert', wasPublic: false })
    }
  }
  async function touch (tx: EngineTx, emit: Emit, postIds: number[]): Promise<void> {
    for (const change of await touchedPosts(tx, postIds)) emit(change)
  }
  const parents = (...ids: Array<number | null | undefined>) => ids.filter((p): p is number => typeof p === 'number')

  return {
    async create (input: TermInputOf<K> & { name: string }): Promise<number> {
      return await write(async (tx, emit, now) => {
        const columns = given(kind.columns(await withParentId(tx, input)))
        if (kind.tree) await checkParent(tx, 0, parentOf(columns))
        const slug = await pickSlug(tx, input.slug, input.name)
        const id = await w.insert(tx, { ...columns, slug, name: input.name, createdAt: now, updatedAt: now })
        emit({ kind: name, id, slug, action: 'upsert' })
        return id
      })
    },
    async update (id: number, input: TermInputOf<K>): Promise<void> {
      await write(async (tx, emit, now) => {
        const old = await load(tx, id)
        const columns = given(kind.columns(await withParentId(tx, input)))
        if (kind.tree) await checkParent(tx, id, parentOf(columns))
        const slug = input.slug !== undefined && input.slug !== old.slug ? await pickSlug(tx, input.slug, old.name, id) : old.slug
        const next = { ...old, ...columns, slug, name: input.name ?? old.name }
        const moved = kind.tree && parentOf(next) !== parentOf(old)
        const above = moved ? await publicNow(tx, await visibility.withAncestors(parents(parentOf(old), parentOf(next)), tx), now) : undefined
        await w.update(tx, id, { ...columns, slug, name: next.name, updatedAt: now })
        emit({ kind: name, id, slug, action: 'upsert' })
        if (above !== undefined) await announce(tx, emit, above, now)
        const before = kind.shownOnPosts(old)
        if (kind.shownOnPosts(next).some((value, i) => value !== before[i])) {
          // In a tree, the terms below show it in their `path`: they changed too.
          for (const below of await w.descendants(tx, id)) emit({ kind: name, id: below.id, slug: below.slug, action: 'upsert' })
          await touch(tx, emit, await w.postsUnder(tx, id))
        }
      })
    },
    async remove (id: number, reassignTo?: number): Promise<void> {
      await write(async (tx, emit, now) => {
        const old = await load(tx, id)
        const wasPublic = await visibility.hasLivePost(name, id, now, 0, tx)
        const used = await w.usage(tx, id)
        if (used > 0 && reassignTo === undefined) {
          throw new InUse(`${kind.label} "${old.slug}" has ${used} post(s): pass ?reassign=<${name}> to move them`)
        }
        const affected = await w.postsUnder(tx, id)
        const around = kind.tree
          ? await publicNow(tx, await visibility.withAncestors(parents(parentOf(old), reassignTo).filter((p) => p !== id), tx), now)
          : undefined
        let heirWasPublic = false
        if (reassignTo !== undefined) {
          if (reassignTo === id) throw new FieldError([{ in: 'query', path: 'reassign', message: `cannot reassign to the ${name} being deleted` }], 422)
          await load(tx, reassignTo)
          heirWasPublic = await visibility.hasLivePost(name, reassignTo, now, 0, tx)
          await w.movePosts(tx, id, reassignTo)
        }
        if (kind.tree) {
          for (const below of await w.descendants(tx, id)) emit({ kind: name, id: below.id, slug: below.slug, action: 'upsert' })
          await w.moveChildren(tx, id, parentOf(old), now)
        }
        await w.remove(tx, id)
        emit({ kind: name, id, slug: old.slug, action: 'delete', wasPublic })
        if (around !== undefined) {
          await announce(tx, emit, around, now)
        } else if (reassignTo !== undefined) {
          emit({ kind: name, id: reassignTo, slug: (await load(tx, reassignTo)).slug, action: 'upsert', wasPublic: heirWasPublic })
        }
        await touch(tx, emit, affected)
      })
    }
  }
}
export type TermsService<K extends AnyTermKind> = ReturnType<typeof createTermsService<K>>

/** The values a body gives: an absent (undefined) field leaves its column as it is. */
function given<V extends object> (values: V): V {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as V
}
