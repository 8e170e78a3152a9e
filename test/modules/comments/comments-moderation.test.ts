import t from 'tap'
import { buildTestApp, adminAuth } from '../../helper.js'
import { makePost } from '../../helpers/factories.js'

// first_time moderation trusts what nobody verifies (a name and an e-mail), so it trusts only
// the exact pair of an approved comment, never a comment with links, and the answer to the
// submitter never says whether the trust applied.

type App = Awaited<ReturnType<typeof buildTestApp>>
const regular = { author_name: 'Sam Reader', author_email: 'Sam@Example.com' }

function submit (app: App, body: Record<string, unknown> | string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/posts/story/comments', payload: body, headers })
}

function form (body: Record<string, string>) {
  return new URLSearchParams(body).toString()
}

async function setup (t: Parameters<typeof buildTestApp>[0], moderation: 'first_time' | 'none') {
  const app = await buildTestApp(t, { COMMENT_RATE_LIMIT: '1000' })
  makePost(app.db, { slug: 'story' })
  const mod = { authorization: `Bearer ${app.core.repos.keys.createSync('mod', ['moderate:comments']).key}` }
  // Sam has one approved comment.
  const first = (await submit(app, { ...regular, content: 'My first comment' })).json().data
  await app.inject({ method: 'PATCH', url: `/v1/comments/${first.id}`, payload: { status: 'approved' }, headers: mod })
  await app.inject({ method: 'PATCH', url: '/v1/site', payload: { comments: { moderation } }, headers: adminAuth })
  const stored = async (id: number) => (await app.inject({ url: `/v1/comments/${id}`, headers: mod })).json().data.status as string
  return { app, stored }
}

t.test('first_time approves only the exact name and e-mail of an approved comment', async (t) => {
  const { app, stored } = await setup(t, 'first_time')
  const cases: Array<[string, Record<string, string>, string]> = [
    ['the same name and e-mail', { ...regular, content: 'Back again' }, 'approved'],
    ['the same name and e-mail, the name with spaces around it', { author_name: ' Sam Reader ', author_email: 'Sam@Example.com', content: 'Spaces' }, 'approved'],
    ['the e-mail under another name', { author_name: 'Impostor', author_email: 'Sam@Example.com', content: 'I am not Sam' }, 'pending'],
    ['the e-mail in other letter case', { ...regular, author_email: 'sam@example.com', content: 'Lower case' }, 'pending'],
    ['the name in other letter case', { ...regular, author_name: 'sam reader', content: 'Lower name' }, 'pending'],
    ['the name with another e-mail', { ...regular, author_email: 'other@example.com', content: 'Other mail' }, 'pending'],
    ['the exact pair with a link', { ...regular, content: 'See https://shop.example/cheap' }, 'pending'],
    ['a new author', { author_name: 'New Person', author_email: 'new@example.com', content: 'Hello' }, 'pending']
  ]
  for (const [what, body, expected] of cases) {
    const res = await submit(app, body)
    t.equal(res.statusCode, 201, what)
    t.equal(await stored(res.json().data.id), expected, what)
  }
})

t.test('the answer to a submitter looks the same whether first_time approved the comment or not', async (t) => {
  const { app, stored } = await setup(t, 'first_time')
  const approved = await submit(app, { ...regular, content: 'Trusted text' })
  const held = await submit(app, { author_name: 'Sam Reader', author_email: 'guess@example.com', content: 'Guessed text' })
  t.equal(await stored(approved.json().data.id), 'approved')
  t.equal(await stored(held.json().data.id), 'pending')
  for (const res of [approved, held]) {
    t.equal(res.statusCode, 201)
    t.equal(res.json().data.status, 'pending', 'the submitter is told pending either way')
  }
  t.same(Object.keys(approved.json().data).sort(), Object.keys(held.json().data).sort())
  t.same(Object.keys(approved.headers).sort(), Object.keys(held.headers).sort(), 'the same headers')
  // A browser's form post: the redirect says pending either way too.
  const browser = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }
  const approvedForm = await submit(app, form({ ...regular, content: 'Trusted form text' }), browser)
  const heldForm = await submit(app, form({ author_name: 'Sam Reader', author_email: 'guess@example.com', content: 'Guessed form text' }), browser)
  for (const res of [approvedForm, heldForm]) {
    t.equal(res.statusCode, 303)
    t.match(res.headers.location, /\?comment=pending#comment-\d+$/)
  }
  t.equal(await stored(Number(/#comment-(\d+)$/.exec(approvedForm.headers.location as string)![1])), 'approved')
  t.equal(await stored(Number(/#comment-(\d+)$/.exec(heldForm.headers.location as string)![1])), 'pending')
})

t.test('with moderation none every comment is approved, and the answer says so', async (t) => {
  const { app, stored } = await setup(t, 'none')
  const res = await submit(app, { author_name: 'Anyone', author_email: 'any@example.com', content: 'Straight in, https://example.org' })
  t.equal(res.json().data.status, 'approved')
  t.equal(await stored(res.json().data.id), 'approved')
  const browser = await submit(app, form({ author_name: 'Anyone', author_email: 'any@example.com', content: 'Form text' }), { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' })
  t.match(browser.headers.location, /\?comment=approved#comment-\d+$/)
  const honey = await submit(app, { author_name: 'Bot', author_email: 'bot@example.com', content: 'Buy now', website: 'http://spam.example' })
  t.equal(honey.json().data.status, 'pending', 'spam still reads as pending')
})

t.test('duplicates are still caught whatever the letter case of the e-mail', async (t) => {
  const { app } = await setup(t, 'first_time')
  t.equal((await submit(app, { ...regular, content: 'Same words' })).statusCode, 201)
  // From another client address, so only the e-mail can tell it is the same author.
  const again = await app.inject({ method: 'POST', url: '/v1/posts/story/comments', payload: { ...regular, author_email: 'SAM@EXAMPLE.COM', content: 'same words' }, remoteAddress: '203.0.113.9' })
  t.equal(again.statusCode, 409)
  const other = await app.inject({ method: 'POST', url: '/v1/posts/story/comments', payload: { ...regular, author_email: 'someone@example.com', content: 'same words' }, remoteAddress: '203.0.113.9' })
  t.equal(other.statusCode, 201, 'another author from another address may say the same')
})
