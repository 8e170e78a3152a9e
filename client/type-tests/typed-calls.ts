// Compile-time tests of the client's types: checked by `tsc -p client/type-tests` (run from
// test/client/types.test.ts). Each `@ts-expect-error` line must fail to compile; if one stops
// failing (a type got looser), TypeScript reports the directive as unused and the test fails.
// The lines without it must compile, so the checks are not vacuous.
import { createBroadsheetClient, type BroadsheetClient, type BroadsheetProblem, type Category, type Post, type PostSummary, type PublicComment } from '../src/index.js'

const bs = createBroadsheetClient({ baseUrl: 'http://127.0.0.1:3000' })

export async function paths (): Promise<void> {
  await bs.GET('/v1/posts')
  await bs.GET('/v1/site')
  // @ts-expect-error no such path
  await bs.GET('/v1/postz')
  // @ts-expect-error a path template must be written as declared, not filled in
  await bs.GET('/v1/posts/blinken-warns-russia')
  // @ts-expect-error POST /v1/site does not exist (site is GET and PATCH)
  await bs.POST('/v1/site', { body: { title: 'x' } })
  // @ts-expect-error GET /v1/keys/{id} does not exist (keys/{id} is DELETE only)
  await bs.GET('/v1/keys/{id}', { params: { path: { id: 1 } } })
}

export async function parameters (): Promise<void> {
  await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'blinken-warns-russia' } } })
  await bs.GET('/v1/posts', { params: { query: { per_page: 12, category: 'politics', sort: 'relevance', q: 'lavrov' } } })
  // @ts-expect-error the path parameter is required
  await bs.GET('/v1/posts/{ref}')
  // @ts-expect-error misspelt path parameter
  await bs.GET('/v1/posts/{ref}', { params: { path: { slug: 'x' } } })
  // @ts-expect-error misspelt query parameter (per_page)
  await bs.GET('/v1/posts', { params: { query: { perPage: 12 } } })
  // @ts-expect-error per_page is a number
  await bs.GET('/v1/posts', { params: { query: { per_page: '12' } } })
  // @ts-expect-error sort takes only the listed orders
  await bs.GET('/v1/posts', { params: { query: { sort: 'newest' } } })
  // @ts-expect-error comment ids are numbers
  await bs.GET('/v1/comments/{id}', { params: { path: { id: 'abc' } } })
}

export async function bodies (): Promise<void> {
  await bs.POST('/v1/posts/{ref}/comments', {
    params: { path: { ref: 'blinken-warns-russia' } },
    body: { author_name: 'Sam', author_email: 'sam@example.com', content: 'Thanks.' }
  })
  await bs.POST('/v1/posts', { body: { title: 'A draft', status: 'draft', author_id: 1, category_ids: [1] } })
  await bs.PATCH('/v1/comments/{id}', { params: { path: { id: 1 } }, body: { status: 'approved' } })
  // @ts-expect-error misspelt body field (author_name)
  await bs.POST('/v1/posts/{ref}/comments', { params: { path: { ref: 'x' } }, body: { author: 'Sam', author_email: 'sam@example.com', content: 'Hi' } })
  // @ts-expect-error an extra body field the API refuses (additionalProperties: false)
  await bs.POST('/v1/posts/{ref}/comments', { params: { path: { ref: 'x' } }, body: { author_name: 'Sam', author_email: 'sam@example.com', content: 'Hi', rating: 5 } })
  // @ts-expect-error a required body field is missing (content)
  await bs.POST('/v1/posts/{ref}/comments', { params: { path: { ref: 'x' } }, body: { author_name: 'Sam', author_email: 'sam@example.com' } })
  // @ts-expect-error the body is required
  await bs.POST('/v1/posts/{ref}/comments', { params: { path: { ref: 'x' } } })
  // @ts-expect-error status takes only the moderation states
  await bs.PATCH('/v1/comments/{id}', { params: { path: { id: 1 } }, body: { status: 'published' } })
  // @ts-expect-error GET takes no body
  await bs.GET('/v1/posts', { body: { title: 'x' } })
}

export async function responses (): Promise<void> {
  const { data: one } = await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'x' } } })
  const post: Post = one.data
  const title: string = post.title
  const primary: string | undefined = post.categories[0]?.slug
  // @ts-expect-error posts have no `headline`
  void post.headline
  // @ts-expect-error published_at may be null
  const when: string = post.published_at
  void [title, primary, when]

  const { data: list, response } = await bs.GET('/v1/posts', { params: { query: { per_page: 3 } } })
  const items: PostSummary[] = list.data
  const cursor: string | null = list.meta.next_cursor
  const etag: string | null = response.headers.get('etag')
  void [items, cursor, etag]

  // Without `fields` every field of a list item is there; with it, exactly the fields named.
  const titles: string[] = list.data.map((item) => item.title)
  const { data: cards } = await bs.GET('/v1/posts', { params: { query: { fields: 'id,title,published_at' } } })
  const card = cards.data[0]
  const cardTitle: string | undefined = card?.title
  const cardWhen: string | null | undefined = card?.published_at
  // @ts-expect-error excerpt was not asked for
  void card?.excerpt
  const asked: string = ['id', 'slug'].join(',')
  const { data: loose } = await bs.GET('/v1/posts', { params: { query: { fields: asked } } })
  // @ts-expect-error with fields that are not a literal, any field may be missing
  const looseTitle: string = loose.data[0]?.title
  void [titles, cardTitle, cardWhen, looseTitle]

  // A single post and related posts narrow the same way; without `fields` every field is there.
  const { data: wholePost } = await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'x' } } })
  const body: string = wholePost.data.content_html
  const crumb: string | undefined = wholePost.data.primary_category?.path[0]?.slug
  const { data: head } = await bs.GET('/v1/posts/{ref}', { params: { path: { ref: 'x' }, query: { fields: 'id,title,seo' } } })
  const headTitle: string = head.data.title
  // @ts-expect-error content_html was not asked for
  void head.data.content_html
  const { data: near } = await bs.GET('/v1/posts/{ref}/related', { params: { path: { ref: 'x' }, query: { fields: 'title,score' } } })
  const nearScore: number | undefined = near.data[0]?.score
  // @ts-expect-error reasons were not asked for
  void near.data[0]?.reasons
  const { data: sections } = await bs.GET('/v1/categories', { params: { query: { fields: 'slug,path' } } })
  const crumbs: string[] | undefined = sections.data[0]?.path.map((c) => c.name)
  // @ts-expect-error post_count was not asked for
  void sections.data[0]?.post_count
  void [body, crumb, headTitle, nearScore, crumbs]

  const { data: thread } = await bs.GET('/v1/posts/{ref}/comments', { params: { path: { ref: 'x' } } })
  const comments: PublicComment[] = thread.data
  // @ts-expect-error the public thread never has the e-mail
  void comments[0]?.author_email
}

export async function helpers (): Promise<void> {
  for await (const post of bs.iterate('/v1/posts', { params: { query: { category: 'politics' } } })) {
    const slug: string | undefined = post.slug
    void slug
  }
  for await (const page of bs.paginate('/v1/categories')) {
    const name: string | undefined = page.data[0]?.name
    const pages: number = page.meta.total_pages
    void [name, pages]
  }
  // @ts-expect-error a single post is not a list
  bs.iterate('/v1/posts/{ref}')
  // @ts-expect-error list helpers check the query too
  bs.iterate('/v1/posts', { params: { query: { categoy: 'politics' } } })
}

export function problems (err: BroadsheetProblem): void {
  const status: number = err.status
  const code: string | undefined = err.code
  const fields: string[] = err.errors.map((e) => e.path)
  // @ts-expect-error problems have no `message_id`
  void err.message_id
  void [status, code, fields]
}

// paginate and iterate narrow by `fields` as GET does; without it, items are full.
export async function paginateNarrows (bs: BroadsheetClient): Promise<void> {
  for await (const page of bs.paginate('/v1/categories', { params: { query: { per_page: 100 } } })) {
    const full: Category = page.data[0]
    void full
  }
  for await (const page of bs.paginate('/v1/posts', { params: { query: { fields: 'id,slug' } } })) {
    const slug: string = page.data[0].slug
    // @ts-expect-error: only the fields asked for
    void page.data[0].title
    void slug
  }
  for await (const item of bs.iterate('/v1/tags', { params: { query: { fields: 'name' } } })) {
    const name: string = item.name
    void name
  }
}
