import t from 'tap'
import { buildTestApp, keyAuth } from '../../helper.js'

type App = Awaited<ReturnType<typeof buildTestApp>>

async function post (app: App, url: string, body: unknown, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url, payload: body as object, headers })
}

async function basics (app: App, auth: Record<string, string>) {
  const author = (await post(app, '/v1/authors', { name: 'Maria López' }, auth)).json().data
  const politics = (await post(app, '/v1/categories', { name: 'Politics' }, auth)).json().data
  const elections = (await post(app, '/v1/categories', { name: 'Elections', parent_id: politics.id }, auth)).json().data
  const tag = (await post(app, '/v1/tags', { name: 'Ukraine' }, auth)).json().data
  return { author, politics, elections, tag }
}

t.test('taxonomy writes: cycles refused, in-use deletes need reassign, slugs', async (t) => {
  const app = await buildTestApp(t)
  const auth = keyAuth(app, 'write:content')
  const { author, politics, elections, tag } = await basics(app, auth)
  const local = (await post(app, '/v1/categories', { name: 'Local', parent_id: elections.id }, auth)).json().data
  const cycle = await app.inject({ method: 'PATCH', url: '/v1/categories/politics', payload: { parent_id: local.id }, headers: auth })
  t.equal(cycle.statusCode, 422)
  t.match(cycle.json().errors[0].message, /cycle/)
  const self = await app.inject({ method: 'PATCH', url: '/v1/categories/politics', payload: { parent_id: politics.id }, headers: auth })
  t.equal(self.statusCode, 422)
  t.equal((await post(app, '/v1/categories', { name: 'X', parent_id: 999 }, auth)).statusCode, 422)
  t.equal((await post(app, '/v1/categories', { name: 'Other', slug: 'politics' }, auth)).statusCode, 409)
  t.equal((await post(app, '/v1/tags', { name: 'Ukraine' }, auth)).json().data.slug, 'ukraine-2')
  t.equal((await post(app, '/v1/tags', { name: 'x', slug: 'Bad Slug' }, auth)).statusCode, 400)
  t.equal((await post(app, '/v1/tags', { name: 'x', slug: '123' }, auth)).statusCode, 400)
  const p = (await post(app, '/v1/posts', { title: 'Filed', author_id: author.id, status: 'published', category_ids: [elections.id], tag_ids: [tag.id] }, auth)).json().data
  const inUse = await app.inject({ method: 'DELETE', url: '/v1/categories/elections', headers: auth })
  t.equal(inUse.statusCode, 409)
  t.equal(inUse.json().code, 'IN_USE')
  const moved = await app.inject({ method: 'DELETE', url: '/v1/categories/elections?reassign=politics', headers: auth })
  t.equal(moved.statusCode, 204)
  t.same((await app.inject(`/v1/posts/${p.id}`)).json().data.categories.map((c: { slug: string }) => c.slug), ['politics'])
  t.equal((await app.inject({ url: `/v1/categories/${local.id}`, headers: auth })).json().data.parent_id, politics.id, 'children move up')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/tags/ukraine', headers: auth })).statusCode, 409)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/tags/ukraine?reassign=nope', headers: auth })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/tags/ukraine?reassign=ukraine-2', headers: auth })).statusCode, 204)
  t.same((await app.inject(`/v1/posts/${p.id}`)).json().data.tags.map((c: { slug: string }) => c.slug), ['ukraine-2'])
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/authors/maria-lopez', headers: auth })).statusCode, 409)
  const other = (await post(app, '/v1/authors', { name: 'Second' }, auth)).json().data
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/authors/maria-lopez?reassign=${other.id}`, headers: auth })).statusCode, 204)
  t.equal((await app.inject(`/v1/posts/${p.id}`)).json().data.author.slug, 'second')
  const upd = await app.inject({ method: 'PATCH', url: `/v1/authors/${other.id}`, payload: { bio: 'New', avatar_url: null }, headers: auth })
  t.equal(upd.json().data.bio, 'New')
})
