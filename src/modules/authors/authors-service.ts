import type { Db } from '../../db/client.js'
import type { Writer } from '../../db/write.js'
import { FieldError, InUse, NotFound, SlugConflict } from '../../errors.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { touchPosts } from '../posts/posts-write-service.js'
import { createAuthorsWriter } from './authors-repository.js'
import { createTermVisibility } from '../../db/term-visibility.js'

export interface AuthorInput { name?: string, slug?: string, email?: string | null, bio?: string, avatar_url?: string | null, website?: string | null }
interface Raw { id: number, slug: string, name: string, email: string | null, bio: string, avatar_url: string | null, website: string | null }

/** Author writes; deleting an author with posts is a 409 unless `reassign` names another author. */
export function createAuthorsService (db: Db, write: Writer) {
  const w = createAuthorsWriter(db)
  const visibility = createTermVisibility(db)
  function load (id: number): Raw {
    const row = w.raw.get(id) as Raw | undefined
    if (row === undefined) throw new NotFound('Author', String(id))
    return row
  }
  function pickSlug (explicit: string | undefined, name: string, id: number | null): string {
    if (explicit !== undefined) {
      if (w.slugTaken.get(explicit, id)) throw new SlugConflict('author', explicit)
      return explicit
    }
    return uniqueSlug(slugify(name, 'author'), (s) => Boolean(w.slugTaken.get(s, id)))
  }
  return {
    create (input: AuthorInput & { name: string }): number {
      return write((emit, now) => {
        const slug = pickSlug(input.slug, input.name, null)
        const id = w.insert.get({
          slug, name: input.name, email: input.email ?? null, bio: input.bio ?? '', avatar_url: input.avatar_url ?? null, website: input.website ?? null, now
        }) as number
        emit({ kind: 'author', id, slug, action: 'upsert' })
        return id
      })
    },
    update (id: number, input: AuthorInput): void {
      write((emit, now) => {
        const old = load(id)
        const next = {
          id,
          slug: input.slug !== undefined && input.slug !== old.slug ? pickSlug(input.slug, old.name, id) : old.slug,
          name: input.name ?? old.name,
          email: input.email === undefined ? old.email : input.email,
          bio: input.bio ?? old.bio,
          avatar_url: input.avatar_url === undefined ? old.avatar_url : input.avatar_url,
          website: input.website === undefined ? old.website : input.website,
          now
        }
        w.update.run(next)
        emit({ kind: 'author', id, slug: next.slug, action: 'upsert' })
        if (next.slug !== old.slug || next.name !== old.name || next.avatar_url !== old.avatar_url) touchPosts(db, emit, w.postsOf.all(id) as number[])
      })
    },
    remove (id: number, reassignTo?: number): void {
      write((emit, now) => {
        const old = load(id)
        const wasPublic = visibility.hasLivePost('author', id, now)
        const used = w.usage.get(id) as number
        if (used > 0 && reassignTo === undefined) {
          throw new InUse(`Author "${old.slug}" has ${used} post(s): pass ?reassign=<author> to move them`)
        }
        const affected = w.postsOf.all(id) as number[]
        if (reassignTo !== undefined) {
          if (reassignTo === id) throw new FieldError([{ in: 'query', path: 'reassign', message: 'cannot reassign to the author being deleted' }], 422)
          load(reassignTo)
          w.reassign.run({ from: id, to: reassignTo })
        }
        w.remove.run(id)
        emit({ kind: 'author', id, slug: old.slug, action: 'delete', wasPublic })
        // The author who took the posts over may have become public with them.
        if (reassignTo !== undefined) emit({ kind: 'author', id: reassignTo, slug: load(reassignTo).slug, action: 'upsert' })
        touchPosts(db, emit, affected)
      })
    }
  }
}
export type AuthorsService = ReturnType<typeof createAuthorsService>
