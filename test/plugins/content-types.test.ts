import t from 'tap'
import { adminAuth, buildTestApp } from '../helper.js'
import { loadSpec, operationsOf, type Operation } from '../helpers/openapi-spec.js'
import { acceptedTypes } from '../../src/plugins/content-types.js'

// Generated from openapi/openapi.json: every operation that takes a body reads exactly the
// media types its requestBody documents, and answers anything else with a 415 problem that
// names them, before validation and with the key it needs.

const spec = loadSpec()
const withBody = operationsOf(spec).filter((op) => op.body !== null)

const OTHER_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=XyZ', 'application/x-www-form-urlencoded', 'image/png', 'application/json-patch+json', 'text/html; charset=utf-8']

function urlOf (op: Operation): string {
  return op.path.replace(/\{[^}]+\}/g, '1')
}

t.test('the spec lists the operations that take bodies with their types', async (t) => {
  t.ok(withBody.length >= 15, `${withBody.length} operations take a body`)
  const types = (id: string) => Object.keys(withBody.find((op) => op.id === id)?.body ?? {}).sort()
  t.same(types('createPost'), ['application/json'])
  t.same(types('createPostComment'), ['application/json', 'application/x-www-form-urlencoded'])
  t.ok(types('importWxr').includes('application/xml'), 'WXR imports take XML')
  t.notOk(types('importWxr').includes('application/json'))
  for (const op of operationsOf(spec).filter((o) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(o.method))) {
    t.ok(op.responses['413'] && op.responses['415'], `${op.id} documents 413 and 415, which any body may get`)
  }
  for (const op of operationsOf(spec).filter((o) => o.path.includes('{'))) t.ok(op.responses['414'], `${op.id} documents 414 for an over-long path parameter`)
})

t.test('every operation with a body answers other media types with a 415 naming the ones it takes', async (t) => {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '10000' })
  for (const op of withBody) {
    const documented = Object.keys(op.body ?? {})
    const sends: Array<{ type: string | null, payload: string }> = [
      ...OTHER_TYPES.filter((type) => !documented.includes(type.split(';')[0])).map((type) => ({ type, payload: type.startsWith('multipart') ? '--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--XyZ--\r\n' : 'title=x' })),
      { type: null, payload: '{"title":"no type"}' },
      { type: 'not a media type', payload: '{}' }
    ]
    for (const send of sends) {
      const headers: Record<string, string> = { ...adminAuth }
      if (send.type !== null) headers['content-type'] = send.type
      const res = await app.inject({ method: op.method as 'POST', url: urlOf(op), headers, payload: send.payload })
      const label = `${op.id} with ${send.type ?? 'no content type'}`
      t.equal(res.statusCode, 415, `${label}: 415`)
      t.match(res.headers['content-type'], /^application\/problem\+json/, `${label}: a problem`)
      const body = res.json() as { code: string, accepted: string[], detail: string }
      t.equal(body.code, 'UNSUPPORTED_MEDIA_TYPE')
      t.same([...body.accepted].sort(), [...documented].sort(), `${label}: names the documented types`)
      t.equal(res.headers.accept, body.accepted.join(', '), `${label}: and says them in Accept`)
      for (const type of documented) t.match(body.detail, type)
    }
    for (const type of documented) {
      const res = await app.inject({ method: op.method as 'POST', url: urlOf(op), headers: { ...adminAuth, 'content-type': `${type}; charset=utf-8` }, payload: type.includes('json') ? '{}' : '<x/>' })
      t.not(res.statusCode, 415, `${op.id} reads ${type} (${res.statusCode})`)
    }
  }
})

t.test('text/plain is refused before validation, where it used to be read as a string', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: { ...adminAuth, 'content-type': 'text/plain' }, payload: '{"title":"x"}' })
  t.equal(res.statusCode, 415)
  t.equal(res.json().detail, 'Content-Type text/plain is not accepted here: send application/json')
  const none = await app.inject({ method: 'POST', url: '/v1/posts', headers: { ...adminAuth, 'content-length': '2' }, payload: '{}' })
  t.equal(none.statusCode, 415, 'a body without a content type is refused too')
  t.equal(none.json().detail, 'A body without Content-Type is not accepted here: send application/json')
})

t.test('HTML forms are read by comment submission only', async (t) => {
  const app = await buildTestApp(t)
  const author = (await app.inject({ method: 'POST', url: '/v1/authors', headers: adminAuth, payload: { name: 'Ada' } })).json().data
  const post = (await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Open', author_id: author.id, status: 'published' } })).json().data
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const submitted = await app.inject({ method: 'POST', url: `/v1/posts/${post.id}/comments`, headers: form, payload: 'author_name=Reader&author_email=r%40example.com&content=Nice' })
  t.equal(submitted.statusCode, 201, 'a reader posts a comment from a form')
  const moderated = await app.inject({ method: 'PATCH', url: `/v1/comments/${submitted.json().data.id}`, headers: { ...adminAuth, ...form }, payload: 'status=approved' })
  t.equal(moderated.statusCode, 415, 'moderation takes JSON only')
  t.same(moderated.json().accepted, ['application/json'])
})

t.test('a bodyless request needs no content type, and a body on a bodyless operation must still be JSON', async (t) => {
  const app = await buildTestApp(t)
  const key = app.core.repos.keys.createSync('spare', ['read:drafts'])
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/keys/${key.row.id}`, headers: adminAuth })).statusCode, 204)
  const other = app.core.repos.keys.createSync('other', ['read:drafts'])
  const xml = await app.inject({ method: 'DELETE', url: `/v1/keys/${other.row.id}`, headers: { ...adminAuth, 'content-type': 'application/xml' }, payload: '<x/>' })
  t.equal(xml.statusCode, 415)
})

t.test('accepted types come from the schema that documents them', async (t) => {
  t.same(acceptedTypes(undefined), ['application/json'])
  t.same(acceptedTypes({ consumes: ['Application/XML'] }), ['application/xml'])
  t.same(acceptedTypes({ body: { content: { 'application/json': {}, 'text/xml': {} } } }), ['application/json', 'text/xml'])
})
