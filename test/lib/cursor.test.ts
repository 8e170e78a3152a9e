import t from 'tap'
import { decodeCursor, encodeCursor } from '../../src/lib/cursor.js'
import { parseRef } from '../../src/lib/refs.js'
import { cursorLink, pageLinks, pageMeta } from '../../src/lib/pagination.js'

t.test('cursors round-trip and garbage decodes to null', async (t) => {
  for (const c of [{ sort: 'title', value: 'Zürich "quoted"', id: 5 }, { sort: '-published_at', value: 1700000000000, id: 1 }, { sort: 'x', value: null, id: 0 }]) {
    t.same(decodeCursor(encodeCursor(c)), c)
  }
  for (const bad of ['', '%%%', 'bm90IGpzb24', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["a",{},1]').toString('base64url'),
    Buffer.from('["a",1,-1]').toString('base64url'), Buffer.from('["a",1,1.5]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
    t.equal(decodeCursor(bad), null, JSON.stringify(bad))
  }
})

t.test('refs: digits are ids, anything else a slug', async (t) => {
  t.same(parseRef('42'), { id: 42 })
  t.same(parseRef('Hello-World'), { slug: 'hello-world' })
  t.equal(parseRef('0'), null)
  t.equal(parseRef('99999999999999999999'), null)
  t.equal(parseRef(''), null)
  t.equal(parseRef('x'.repeat(201)), null)
})

t.test('page meta and links', async (t) => {
  t.same(pageMeta(2, 10, 25), { page: 2, per_page: 10, total: 25, total_pages: 3 })
  t.equal(pageLinks('http://x', '/v1/posts?tag=a&page=2', 2, 3), '</v1/posts?tag=a&page=1>; rel="first", </v1/posts?tag=a&page=1>; rel="prev", </v1/posts?tag=a&page=3>; rel="next", </v1/posts?tag=a&page=3>; rel="last"')
  t.equal(pageLinks('http://x', '/v1/tags', 1, 0), '</v1/tags?page=1>; rel="first", </v1/tags?page=1>; rel="last"')
  t.equal(cursorLink('http://x', '/v1/posts?page=3&per_page=5', 'abc'), '</v1/posts?per_page=5&cursor=abc>; rel="next"')
})
