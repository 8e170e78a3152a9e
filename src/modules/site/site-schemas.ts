import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema } from '../../schemas/common.js'

// Menu items, three levels deep at most: each level is its own schema, so a fourth is refused
// by validation and the spec shows the exact shape.
const itemFields = {
  label: Type.String({ minLength: 1, maxLength: 100, examples: ['About'] }),
  url: Type.Optional(Type.String({ pattern: '^(https?://[^\\s]+|/(?!/)[^\\s]*)$', maxLength: 2000, description: 'An absolute http(s) URL or a path on the site (/contact; not //host)' })),
  page_id: Type.Optional(IdSchema),
  category_id: Type.Optional(IdSchema),
  tag_id: Type.Optional(IdSchema),
  post_id: Type.Optional(IdSchema)
}
const MAX_ITEMS = 50
const writeLevel3 = Type.Object(itemFields, { additionalProperties: false })
const writeLevel2 = Type.Object({ ...itemFields, children: Type.Optional(Type.Array(writeLevel3, { maxItems: MAX_ITEMS })) }, { additionalProperties: false })
const writeLevel1 = Type.Object({ ...itemFields, children: Type.Optional(Type.Array(writeLevel2, { maxItems: MAX_ITEMS })) }, {
  additionalProperties: false,
  description: 'A label and exactly one target: url, or page_id, category_id, tag_id or post_id (resolved to its current URL when read); children nest up to 3 levels'
})
const WriteMenu = Type.Array(writeLevel1, { maxItems: MAX_ITEMS, description: 'Replaces the whole menu' })

const readFields = {
  label: Type.String(),
  url: Type.String({ description: 'The current URL of the target (pages: SITE_URL/{path}; categories: SITE_URL/{slug}; tags: SITE_URL/tag/{slug}; posts: their url)' }),
  type: Type.Union([Type.Literal('url'), Type.Literal('page'), Type.Literal('category'), Type.Literal('tag'), Type.Literal('post')]),
  id: Type.Union([IdSchema, Type.Null()], { description: 'The id of the page, category, tag or post; null for a URL' })
}
const readLevel3 = Type.Object({ ...readFields, children: Type.Array(Type.Never(), { maxItems: 0 }) })
const readLevel2 = Type.Object({ ...readFields, children: Type.Array(readLevel3) })
const readLevel1 = Type.Object({ ...readFields, children: Type.Array(readLevel2) })
const ReadMenu = Type.Array(readLevel1)

export const SiteSchema = Type.Object({
  title: Type.String({ examples: ['My Blog'] }),
  description: Type.String(),
  url: Type.String({ readOnly: true, description: 'The public frontend (SITE_URL); configured, never taken from the request. Read-only: set SITE_URL' }),
  language: Type.String({ description: 'BCP 47 language tag', examples: ['en'] }),
  timezone: Type.String({ description: 'IANA time zone for display', examples: ['Europe/London'] }),
  comments: Type.Object({
    enabled: Type.Boolean({ description: 'Whether the comment form should be shown at all' }),
    moderation: Type.Union([Type.Literal('all'), Type.Literal('first_time'), Type.Literal('none')], { description: 'all: every new comment waits as pending; first_time: a comment without links is approved at once when an approved comment has exactly the same author name and e-mail; none: approved at once' }),
    max_depth: Type.Integer({ minimum: 1, description: 'Deepest reply level allowed (1 = no replies)' }),
    max_links: Type.Integer({ minimum: 0, description: 'Links allowed in one comment' })
  }),
  feeds: Type.Object({ rss: Type.String(), atom: Type.String(), json: Type.String() }, { readOnly: true, description: 'Absolute feed URLs on this API (PUBLIC_API_URL); never taken from the request. Read-only' }),
  navigation: Type.Object({ primary: ReadMenu, secondary: ReadMenu }, {
    description: 'The menus with every target resolved to its current URL; an item whose target is gone or not public is left out, with the items below it'
  }),
  navigation_issues: Type.Optional(Type.Array(Type.Object({
    menu: Type.Union([Type.Literal('primary'), Type.Literal('secondary')]),
    path: Type.String({ description: 'Where the item is, e.g. primary.0.children.1', examples: ['primary.1'] }),
    label: Type.String(),
    reason: Type.String({ examples: ['page 4 is not public'] })
  }), { description: 'Admin keys only: the menu items left out of public reads, and why' })),
  updated_at: Type.String({ ...DateTimeSchema, readOnly: true, description: 'When the settings last changed. Read-only' })
}, { $id: 'Site', title: 'Site' })
export type Site = Static<typeof SiteSchema>

export const UpdateSiteBody = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', description: 'BCP 47 tag such as en or pt-BR' })),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone such as Europe/London' })),
  comments: Type.Optional(Type.Object({
    enabled: Type.Optional(Type.Boolean()),
    moderation: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('first_time'), Type.Literal('none')])),
    max_depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    max_links: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 }))
  }, { additionalProperties: false, minProperties: 1 })),
  navigation: Type.Optional(Type.Object({
    primary: Type.Optional(WriteMenu),
    secondary: Type.Optional(WriteMenu)
  }, { additionalProperties: false, minProperties: 1, description: 'Each menu given replaces that menu; unknown ids are a 422 naming the item' }))
}, {
  additionalProperties: false,
  minProperties: 1,
  examples: [
    { title: 'My Blog', comments: { moderation: 'first_time' } },
    { navigation: { primary: [{ label: 'Politics', category_id: 1 }, { label: 'About', page_id: 1, children: [{ label: 'Our team', page_id: 2 }] }, { label: 'Contact', url: '/contact' }] } }
  ]
})
export type UpdateSiteBodyType = Static<typeof UpdateSiteBody>

/** Fields GET /v1/site shows that PATCH refuses by name (400), with where they come from. */
export const SITE_READ_ONLY = {
  url: 'it is SITE_URL, set in the server\'s environment',
  feeds: 'the feed URLs are derived from PUBLIC_API_URL, set in the server\'s environment',
  updated_at: 'it is set by the server on each change'
}

/** The schemas with an $id this module adds. */
export const siteSchemas = [SiteSchema]
