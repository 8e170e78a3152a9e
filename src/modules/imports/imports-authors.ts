import type { ImportContext, ItemTx } from './imports-context.js'
import type { ImportAuthor } from './imports-items.js'
import { clip, emailOrNull, httpUrl, importSlug, plain } from './imports-values.js'

/**
 * Authors, matched by the slug of their login. An author an item names is created when new
 * and otherwise left alone; a declared one (wp:author, a feed's own author) also brings its
 * name, e-mail and website up to date.
 */
export function createAuthorImporter ({ repo, writes }: ImportContext) {
  return {
    /** The author's id, creating the author when new. */
    idOf (a: ImportAuthor, declared: boolean, tx: ItemTx): number {
      const name = plain(a.name ?? '', 200) || clip(a.login.trim(), 200) || 'Unknown author'
      const slug = importSlug(a.login, name, 'author')
      const existing = repo.authorBySlug(slug)
      if (existing === undefined) {
        const id = writes.authors.create({ name, slug, email: emailOrNull(a.email), website: httpUrl(a.website) })
        tx.count('authors', 'created')
        return id
      }
      if (declared) {
        const email = a.email === undefined ? existing.email : emailOrNull(a.email)
        const website = a.website === undefined ? existing.website : httpUrl(a.website)
        if (existing.name !== name || existing.email !== email || existing.website !== website) {
          writes.authors.update(existing.id, { name, email, website })
          tx.count('authors', 'updated')
        } else {
          tx.count('authors', 'unchanged')
        }
      }
      return existing.id
    }
  }
}
export type AuthorImporter = ReturnType<typeof createAuthorImporter>
