import { Type } from 'typebox'
import { IdSchema, PageQuery } from '../../schemas/common.js'

export const RedirectSchema = Type.Object({
  from: Type.String({ description: 'The old address, as the import found it (WordPress\'s permalink)', examples: ['https://old.example.com/2019/05/geneva-talks/'] }),
  path: Type.String({ description: 'Its lookup form: path only, percent-escapes decoded, no trailing slash; `?p=123` and `?page_id=7` kept', examples: ['/2019/05/geneva-talks'] }),
  post_id: IdSchema,
  post_slug: Type.String({ description: 'Where the frontend now shows it: build the new URL from the slug and answer 301', examples: ['geneva-talks'] })
}, { $id: 'Redirect', title: 'Redirect' })

export const ListRedirectsQuery = Type.Object({
  path: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'Only the entries for this old address: a path as requested (`/2019/05/geneva-talks/`) or a full URL; the host, ' +
      'the trailing slash and percent-encoding do not matter.',
    examples: ['/2019/05/geneva-talks/']
  })),
  ...PageQuery
}, { additionalProperties: false })

/** The schemas with an $id this module adds. */
export const redirectSchemas = [RedirectSchema]
