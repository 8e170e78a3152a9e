import t from 'tap'
import { buildTestApp, adminSend } from '../../helper.js'

// A public list page sent from stored cards names its ETag from the cards' stored hashes and
// its meta (lib/stored-json.ts), not from a hash of its body: the tag must change when, and
// only when, the body changes, and not depend on whether a card was stored or built from rows.

const send = adminSend

for (const cache of ['false', 'true']) {
  t.test(`RESPONSE_CACHE=${cache}: the list ETag changes when and only when the body does`, async (t) => {
    const app = await buildTestApp(t, { RESPONSE_CACHE: cache })
    const author = await send(app, 'POST', '/v1/authors', { name: 'Desk' })
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
    const ids: number[] = []
    for (let i = 0; i < 4; i++) {
      ids.push((await send(app, 'POST', '/v1/posts', { title: `Story ${i}`, author_id: author.id, status: 'published', published_at: ago(60 - i), content_html: `<p>Story ${i}.</p>` })).id)
    }
    const urls = ['/v1/posts', '/v1/posts?per_page=2', '/v1/posts?per_page=2&page=2', '/v1/posts?per_page=3&page=9']
    const read = async () => Promise.all(urls.map(async (url) => {
      const res = await app.inject(url)
      t.equal(res.statusCode, 200, url)
      return { url, body: res.body, etag: res.headers.etag as string }
    }))
    // Every pair of answers seen so far: the same body exactly when the same ETag.
    const seen = new Map<string, string>()
    const check = (label: string, answers: Array<{ url: string, body: string, etag: string }>) => {
      for (const a of answers) {
        const key = `${a.url} ${a.etag}`
        const before = seen.get(key)
        if (before !== undefined) t.equal(a.body, before, `${label}: ${a.url}: the same ETag, the same body`)
        for (const [k, body] of seen) {
          if (k.startsWith(`${a.url} `) && k !== key) t.not(a.body, body, `${label}: ${a.url}: another ETag, another body`)
        }
        seen.set(key, a.body)
      }
    }
    const first = await read()
    check('first read', first)
    t.equal(new Set(first.map((a) => a.etag)).size, urls.length, 'each page its own ETag')
    check('again', await read())

    // A draft is listed nowhere: the pages and their ETags stay.
    await send(app, 'POST', '/v1/posts', { title: 'Draft', author_id: author.id, content_html: '<p>Draft.</p>' })
    const afterDraft = await read()
    t.same(afterDraft.map((a) => a.etag), first.map((a) => a.etag), 'a draft changes no ETag')
    check('after a draft', afterDraft)

    // A title on the first page changes its body (and so its ETag); the page without that post keeps its tag.
    await send(app, 'PATCH', `/v1/posts/${ids[3]}`, { title: 'Story three, edited' })
    const afterEdit = await read()
    t.not(afterEdit[0].etag, first[0].etag, 'the page showing the edited post: a new ETag')
    t.not(afterEdit[1].etag, first[1].etag, 'per_page=2 shows it too')
    t.equal(afterEdit[2].etag, first[2].etag, 'page 2 does not show it: the same ETag')
    check('after an edit', afterEdit)

    // A new post moves every page's meta (its total), even the empty page past the end.
    await send(app, 'POST', '/v1/posts', { title: 'Story 4', author_id: author.id, status: 'published', published_at: ago(1), content_html: '<p>Story 4.</p>' })
    const afterNew = await read()
    for (let i = 0; i < urls.length; i++) t.not(afterNew[i].etag, afterEdit[i].etag, `${urls[i]}: a new ETag with the new total`)
    check('after a new post', afterNew)

    // The same page from cards built from rows (no stored document): the same bytes, the same ETag.
    app.core.db.$client.prepare('DELETE FROM post_documents').run()
    t.equal((app.core.db.$client.prepare('SELECT count(*) AS n FROM post_cards').get() as { n: number }).n, 0, 'the cards went with their documents')
    const fromRows = cache === 'true' ? null : await read()
    if (fromRows !== null) {
      t.same(fromRows, afterNew, 'built from rows: the same bodies and ETags')
    }

    // A conditional request with the tag is a 304.
    const res = await app.inject({ url: urls[0], headers: { 'if-none-match': afterNew[0].etag } })
    t.equal(res.statusCode, 304, 'If-None-Match with the list ETag')
  })
}
