import type { EngineWrite } from '../../db/engine-write.js'
import type { Writer } from '../../db/write.js'
import { FieldError } from '../../errors.js'
import type { SiteRepository, SiteRow, SiteSettingsRepository } from './site-repository.js'
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

/** An unknown time zone is a 400 naming it (before any transaction). */
function checkInput (input: SiteInput): void {
  const tz = input.timezone
  if (tz !== undefined && !isTimeZone(tz)) {
    throw new FieldError([{ in: 'body', path: 'timezone', message: `"${tz}" is not an IANA time zone such as Europe/London` }])
  }
}

/** The row after `input`: what it names changes, the rest is kept. */
function merged (old: SiteRow, input: SiteInput, now: number): SiteRow {
  const c = input.comments ?? {}
  return {
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
  }
}

/** Changes to the site settings row, on either engine (src/db/engine-write.ts). */
export function createSiteService (deps: { repo: SiteSettingsRepository, write: EngineWrite, targets: Pick<NavigationTargets, 'exists'> }) {
  const { repo, write, targets } = deps
  return {
    /** Changes what the input names and keeps the rest; an unknown time zone is a 400 naming it. */
    async update (input: SiteInput): Promise<void> {
      checkInput(input)
      await write(async (tx, emit, now) => {
        // Inside the write: an id checked here cannot be deleted before the menu is stored.
        if (input.navigation !== undefined) checkNavigation(input.navigation, targets)
        await repo.update(tx, merged(await repo.read(tx), input, now))
        emit({ kind: 'site' })
      })
    }
  }
}
export type SiteService = ReturnType<typeof createSiteService>

/**
 * The same change as a synchronous write on SQLite, for a caller inside a synchronous write of
 * its own: the WXR import applies a file's menus in its item's transaction (src/modules/imports,
 * not yet ported). It goes once the import writes through the engine-neutral writer.
 */
export function createSiteSyncUpdate (deps: { repo: Pick<SiteRepository, 'get' | 'put'>, write: Writer, targets: Pick<NavigationTargets, 'exists'> }) {
  const { repo, write, targets } = deps
  return (input: SiteInput): void => {
    checkInput(input)
    write((emit, now) => {
      if (input.navigation !== undefined) checkNavigation(input.navigation, targets)
      repo.put(merged(repo.get(), input, now))
      emit({ kind: 'site' })
    })
  }
}
