import { Type } from 'typebox'
import { DateTimeSchema } from '../../schemas/common.js'
import { PREVIEW_TTL } from './previews-service.js'

const TOKEN_EXAMPLE = 'pv_Jm3rXb8f0V7pXyS1eQw2nH4kLc9tR6uA5zD0oG1iE7s'

export const CreatePreviewBody = Type.Object({
  expires_in: Type.Optional(Type.Integer({
    minimum: PREVIEW_TTL.min,
    maximum: PREVIEW_TTL.max,
    default: PREVIEW_TTL.default,
    description: 'How long the link works, in seconds: 60 (a minute) to 604800 (seven days); an hour unless given',
    examples: [3600]
  }))
}, { additionalProperties: false, examples: [{ expires_in: 86400 }] })

export const PreviewLinkSchema = Type.Object({
  token: Type.String({ description: 'The token (256 random bits), shown only in this answer: only its hash is kept', examples: [TOKEN_EXAMPLE] }),
  expires_at: DateTimeSchema,
  preview_url: Type.String({ description: 'PREVIEW_URL_TEMPLATE with `{token}` replaced: the frontend page that renders the preview', examples: [`https://www.example.com/preview?token=${TOKEN_EXAMPLE}`] })
}, { $id: 'PreviewLink', title: 'PreviewLink', description: 'A new preview link to one post' })

export const PreviewLinkEnvelopeSchema = Type.Object({ data: Type.Ref('PreviewLink') }, { $id: 'PreviewLinkEnvelope', title: 'PreviewLinkEnvelope' })

export const PreviewEnvelopeSchema = Type.Object({
  data: Type.Intersect([Type.Ref('Post'), Type.Object({
    preview: Type.Literal(true, { description: 'Always true: this is a preview, whatever the post\'s status; do not index or cache it' })
  })])
}, { $id: 'PreviewEnvelope', title: 'PreviewEnvelope', description: 'The post as it is now (any status), in the shape of GET /v1/posts/{ref}, marked as a preview' })

export const TokenParamsSchema = Type.Object({
  // No pattern here: a malformed token must get the same 404 as an unknown one, not a 400.
  token: Type.String({ description: 'A preview token from POST /v1/posts/{ref}/previews (`pv_` and 43 base64url characters)', examples: [TOKEN_EXAMPLE] })
}, { additionalProperties: false })

/** The schemas with an $id this module adds. */
export const previewSchemas = [PreviewLinkSchema, PreviewLinkEnvelopeSchema, PreviewEnvelopeSchema]
