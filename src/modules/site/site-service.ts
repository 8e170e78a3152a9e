import type { Writer } from '../../db/write.js'
import { FieldError } from '../../errors.js'
import type { SiteRepository } from './site-repository.js'
import type { UpdateSiteBodyType } from './site-schemas.js'
import { checkNavigation, type NavigationTargets } from './site-navigation.js'

export type SiteInput = UpdateSiteBodyType

function isTimeZone (tz: string): boolean {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone.length > 0
  } catch {
    return false
  }
}

/** Changes to the site settings row. */
export function createSiteService (deps: { repo: SiteRepository, write: Writer, targets: Pick<NavigationTargets, 'exists'> }) {
  const { repo, write, targets } = deps
  return {
    /** Changes what the input names and keeps the rest; an unknown time zone is a 400 naming it. */
    update (input: SiteInput): void {
      const tz = input.timezone
      if (tz !== undefined && !isTimeZone(tz)) {
        throw new FieldError([{ in: 'body', path: 'timezone', message: `"${tz}" is not an IANA time zone such as Europe/London` }])
      }
      write((emit, now) => {
        // Inside the write: an id checked here cannot be deleted before the menu is stored.
        if (input.navigation !== undefined) checkNavigation(input.navigation, targets)
        const old = repo.get()
        const c = input.comments ?? {}
        repo.update({
          title: input.title ?? old.title,
          description: input.description ?? old.description,
          language: input.language ?? old.language,
          timezone: input.timezone ?? old.timezone,
          commentsEnabled: c.enabled ?? old.commentsEnabled,
          commentModeration: c.moderation ?? old.commentModeration,
          commentMaxDepth: c.max_depth ?? old.commentMaxDepth,
          commentMaxLinks: c.max_links ?? old.commentMaxLinks,
          navigation: { primary: input.navigation?.primary ?? old.navigation.primary, secondary: input.navigation?.secondary ?? old.navigation.secondary },
          updatedAt: now
        })
        emit({ kind: 'site' })
      })
    }
  }
}
export type SiteService = ReturnType<typeof createSiteService>
