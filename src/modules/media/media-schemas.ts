import { Type, type Static } from 'typebox'
import { DateTimeSchema, IdSchema, PageQuery } from '../../schemas/common.js'
import { ACCEPTED_MIME_TYPES } from './media-images.js'

const EXAMPLE_URL = 'https://api.example.com/media/7/harbour-at-dawn-3f2a9c1b.jpg'

export const MediaVariantSchema = Type.Object({
  format: Type.Union([Type.Literal('webp'), Type.Literal('avif')]),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 }),
  url: Type.String({ description: 'Rendered on first request, then served from the disk cache' })
}, { $id: 'MediaVariant', title: 'MediaVariant', description: 'A ready-made size in a modern format' })

const metaProperties = {
  title: Type.String({ maxLength: 300, description: 'For the library; not shown to readers' }),
  alt: Type.String({ maxLength: 1000, description: 'Text alternative for readers who cannot see the image' }),
  caption: Type.String({ maxLength: 2000 }),
  credit: Type.String({ maxLength: 300, description: 'Photographer or agency' })
}

export const MediaSchema = Type.Object({
  id: IdSchema,
  url: Type.String({ description: 'The image at `width` × `height`, without metadata. Takes `?w=&h=&fit=&format=`', examples: [EXAMPLE_URL] }),
  filename: Type.String({ description: 'The last part of `url`: the uploaded name, sanitized, with a prefix of the content hash', examples: ['harbour-at-dawn-3f2a9c1b.jpg'] }),
  mime_type: Type.String({ description: 'Sniffed from the bytes', examples: ['image/jpeg'] }),
  bytes: Type.Integer({ minimum: 0, description: 'Size of the uploaded file' }),
  width: Type.Integer({ minimum: 1, description: 'Width of `url` (orientation applied; at most 2560)' }),
  height: Type.Integer({ minimum: 1, description: 'Height of `url`' }),
  original_width: Type.Integer({ minimum: 1, description: 'Width of the uploaded image, orientation applied' }),
  original_height: Type.Integer({ minimum: 1 }),
  ...metaProperties,
  variants: Type.Array(Type.Ref('MediaVariant'), { description: 'WebP and AVIF at each width of the ladder below `width`, and at `width`' }),
  srcset: Type.String({ description: 'The WebP variants as an `<img srcset>` value', examples: [`${EXAMPLE_URL}?w=320&format=webp 320w, ${EXAMPLE_URL}?format=webp 480w`] }),
  created_at: DateTimeSchema,
  updated_at: DateTimeSchema
}, { $id: 'Media', title: 'Media', description: 'An image of the media library' })
export type Media = Static<typeof MediaSchema>

export const MediaEnvelope = Type.Object({ data: Type.Ref('Media') })

export const FeaturedImageSchema = Type.Object({
  media_id: Type.Union([IdSchema, Type.Null()], { description: 'The library image, or null for an external URL' }),
  url: Type.String(),
  alt: Type.String(),
  width: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Null for an external URL' }),
  height: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  srcset: Type.Union([Type.String(), Type.Null()], { description: 'WebP sizes for `<img srcset>`; null for an external URL' }),
  caption: Type.Union([Type.String(), Type.Null()]),
  credit: Type.Union([Type.String(), Type.Null()])
}, {
  $id: 'FeaturedImage',
  title: 'FeaturedImage',
  description: 'A post\'s featured image: from the library (`featured_media_id`, with its size and srcset) or an external URL (`featured_image`)'
})
export type FeaturedImage = Static<typeof FeaturedImageSchema>

export const ListMediaQuery = Type.Object({
  per_page: PageQuery.per_page,
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'meta.next_cursor of the previous page' })),
  type: Type.Optional(Type.String({ pattern: '^[a-z]+(/[a-z0-9.+-]+)?$', maxLength: 100, description: 'A type (`image/png`) or a family (`image`)', examples: ['image/jpeg'] })),
  created_after: Type.Optional(Type.String({ format: 'date-time', description: 'Only media uploaded strictly after this time' })),
  created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Only media uploaded strictly before this time' }))
}, { additionalProperties: false })
export type ListMediaQueryType = Static<typeof ListMediaQuery>

export const MediaListMeta = Type.Object({
  page: Type.Null({ description: 'Always null: this list pages by cursor' }),
  per_page: Type.Integer({ minimum: 1, maximum: 100 }),
  total: Type.Integer({ minimum: 0 }),
  total_pages: Type.Integer({ minimum: 0 }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last' })
})

export const PatchMediaBody = Type.Object(Type.Partial(Type.Object(metaProperties)).properties, {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ alt: 'Fishing boats at the harbour wall at dawn', credit: 'Ana Ruiz' }]
})
export type PatchMediaBodyType = Static<typeof PatchMediaBody>

export const DeleteMediaQuery = Type.Object({
  force: Type.Optional(Type.Boolean({ description: 'Delete even when posts use it: their featured image is cleared' }))
}, { additionalProperties: false })

/** The upload form, for the spec and Swagger UI (the handler reads the stream itself). */
export const UploadForm = Type.Object({
  file: Type.String({ format: 'binary', description: `The image: ${ACCEPTED_MIME_TYPES.join(', ')} (the type is read from the bytes)` }),
  title: Type.Optional(metaProperties.title),
  alt: Type.Optional(metaProperties.alt),
  caption: Type.Optional(metaProperties.caption),
  credit: Type.Optional(metaProperties.credit)
})
export const UPLOAD_FIELDS = ['title', 'alt', 'caption', 'credit'] as const
export const FIELD_MAX: Record<typeof UPLOAD_FIELDS[number], number> = { title: 300, alt: 1000, caption: 2000, credit: 300 }

export const ServeParams = Type.Object({
  id: IdSchema,
  filename: Type.String({ pattern: '^[a-z0-9-]+\\.[a-z]+$', maxLength: 200, description: 'The record\'s `filename` (a prefix of the content hash in it)', examples: ['harbour-at-dawn-3f2a9c1b.jpg'] })
})

export const ServeQuery = Type.Object({
  w: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Width; snapped up to the ladder 160, 320, 480, 640, 800, 1024, 1280, 1600, 1920, 2560, never above the image\'s own' })),
  h: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Height; snapped like `w`' })),
  fit: Type.Optional(Type.Union([Type.Literal('cover'), Type.Literal('contain'), Type.Literal('inside')], { description: 'With both `w` and `h`: crop to fill (cover, the default), letterbox (contain) or fit within (inside)' })),
  format: Type.Optional(Type.Union([Type.Literal('webp'), Type.Literal('avif'), Type.Literal('jpeg'), Type.Literal('png'), Type.Literal('auto')], {
    description: 'Output format; absent keeps the original\'s; `auto` picks AVIF or WebP by the `Accept` header (and answers `Vary: Accept`)'
  }))
}, { additionalProperties: false })
export type ServeQueryType = Static<typeof ServeQuery>

export const mediaSchemas = [MediaVariantSchema, MediaSchema, FeaturedImageSchema]
