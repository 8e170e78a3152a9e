import type { Db } from '../../db/client.js'
import type { Writer } from '../../db/write.js'
import { FieldError, InUse, NotFound, SlugConflict } from '../../errors.js'
import { slugify, uniqueSlug } from '../../lib/slugify.js'
import { touchPosts } from '../posts/posts-write-service.js'
import { createTagsWriter } from './tags-repository.js'
import { createTermVisibility } from '../../db/term-visibility.js'

export interface TagInput { name?: string, slug?: string, description?: string }
interface Raw { id: number, slug: string, name: string, description: string }

/** Tag writes; deleting a tag in use is a 409 unless `reassign` names a tag to move its posts to. */
export function createTagsService (db: Db, write: Writer) {
  const w = createTagsWriter(db)
  const visibility = createTermVisibility(db)
  function load (id: number): Raw {
    const row = w.raw.get(id) as Raw | undefined
    if (row === undefined) throw new NotFound('Tag', String(id))
    return row
  }
  function pickSlug (explicit: string | undefined, name: string, id: number | null): string {
    if (explicit !== undefined) {
      if (w.slugTaken.get(explicit, id)) throw new SlugConflict('tag', explicit)
      return explicit
    }
    return uniqueSlug(slugify(name, 'tag'), (s) => Boolean(w.slugTaken.get(s, id)))
  }
  return {
    create (input: TagInput & { name: string }): number {
      return write((emit, now) => {
        const slug = pickSlug(input.slug, input.name, null)
        const id = w.insert.get({ slug, name: input.name, description: input.description ?? '', now }) as number
        emit({ kind: 'tag', id, slug, action: 'upsert' })
        return id
      })
    },
    update (id: number, input: TagInput): void {
      write((emit, now) => {
        const old = load(id)
        const next = {
          id,
          slug: input.slug !== undefined && input.slug !== old.slug ? pickSlug(input.slug, old.name, id) : old.slug,
          name: input.name ?? old.name,
          description: input.description ?? old.description,
          now
        }
        w.update.run(next)
        emit({ kind: 'tag', id, slug: next.slug, action: 'upsert' })
        if (next.slug !== old.slug || next.name !== old.name) touchPosts(db, emit, w.postsOf.all(id) as number[])
      })
    },
    remove (id: number, reassignTo?: number): void {
      write((emit, now) => {
        const old = load(id)
        const wasPublic = visibility.hasLivePost('tag', id, now)
        const used = w.usage.get(id) as number
        if (used > 0 && reassignTo === undefined) {
          throw new InUse(`Tag "${old.slug}" is used by ${used} post(s): pass ?reassign=<tag> to move them`)
        }
        const affected = w.postsOf.all(id) as number[]
        if (reassignTo !== undefined) {
          if (reassignTo === id) throw new FieldError([{ in: 'query', path: 'reassign', message: 'cannot reassign to the tag being deleted' }], 422)
          load(reassignTo)
          w.reassign.run({ from: id, to: reassignTo })
          w.dropLinks.run(id)
        }
        w.remove.run(id)
        emit({ kind: 'tag', id, slug: old.slug, action: 'delete', wasPublic })
        // The tag that took the posts over may have become public with them.
        if (reassignTo !== undefined) emit({ kind: 'tag', id: reassignTo, slug: load(reassignTo).slug, action: 'upsert' })
        touchPosts(db, emit, affected)
      })
    }
  }
}
export type TagsService = ReturnType<typeof createTagsService>
