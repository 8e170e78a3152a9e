import t from 'tap'
import { cursorLink, cursorListPage, listPage, pageLinks } from '../../src/lib/pagination.js'

// pageLinks serializes the query once around the place of `page`; the Link targets must be the
// bytes URLSearchParams.set('page', n) gives for each link (the way they were first built).
function reference (baseUrl: string, requestUrl: string, page: number, totalPages: number): string {
  const url = new URL(requestUrl, baseUrl)
  url.searchParams.delete('cursor')
  const at = (p: number) => {
    url.searchParams.set('page', String(p))
    return `<${url.pathname}${url.search}>`
  }
  const links: string[] = []
  const last = Math.max(totalPages, 1)
  links.push(`${at(1)}; rel="first"`)
  if (page > 1) links.push(`${at(Math.min(page - 1, last))}; rel="prev"`)
  if (page < totalPages) links.push(`${at(page + 1)}; rel="next"`)
  links.push(`${at(last)}; rel="last"`)
  return links.join(', ')
}

t.test('Link targets keep every other parameter, encoded as URLSearchParams does, with page in its place', async (t) => {
  const urls = [
    '/v1/posts', '/v1/posts?', '/v1/posts?page=2', '/v1/posts?per_page=10&page=3&sort=title',
    '/v1/posts?page=1&page=5&x=1&page=7', '/v1/posts?q=a b&published_after=2000-01-01T00:00:00Z',
    '/v1/posts?cursor=abc&per_page=5', '/v1/posts?pa%67e=2&tag=a,b', '/v1/posts?q=%C3%A9t%C3%A9+x&&=&a',
    '/v1/posts/x/comments?per_page=50#frag', '/v1/posts?page&per_page=3', '/v1/posts?q=1%2B1%3D2&cursor=a&cursor=b&page=2'
  ]
  for (const url of urls) {
    for (const [page, total] of [[1, 1], [2, 5], [5, 3], [1, 0], [3, 3]]) {
      t.equal(pageLinks('http://x', url, page, total), reference('http://x', url, page, total), `${url} page ${page} of ${total}`)
    }
  }
  t.equal(pageLinks('http://x', '/v1/posts?per_page=5&page=2&sort=title', 2, 3),
    '</v1/posts?per_page=5&page=1&sort=title>; rel="first", </v1/posts?per_page=5&page=1&sort=title>; rel="prev", ' +
    '</v1/posts?per_page=5&page=3&sort=title>; rel="next", </v1/posts?per_page=5&page=3&sort=title>; rel="last"')
})

t.test('listPage and cursorListPage remember Link headers by URL and position, and give what pageLinks and cursorLink make', async (t) => {
  const sent = (fn: (sink: { header: (n: string, v: string) => void }) => void) => {
    const headers: Record<string, string> = {}
    fn({ header: (n, v) => { headers[n] = v } })
    return headers.link
  }
  const urls = ['/v1/posts?per_page=5&page=2&sort=title', '/v1/tags?page=3', '/v1/posts?q=%C3%A9t%C3%A9&cursor=x', `/v1/posts?q=${'a'.repeat(600)}`]
  for (let round = 0; round < 2; round++) {
    for (const url of urls) {
      for (const [page, total] of [[1, 1], [2, 5], [5, 3], [1, 0], [3, 3], [2, 7]]) {
        t.equal(sent((r) => listPage(r, url, { page, perPage: 10, total: total * 10 }, [])), pageLinks('http://x', url, page, total), `${url} page ${page} of ${total}`)
        t.equal(sent((r) => cursorListPage(r, url, { page, perPage: 10, total: total * 10, nextCursor: null }, [])), pageLinks('http://x', url, page, total))
      }
      for (const next of ['abc', 'abd', 'a+b/c=']) {
        t.equal(sent((r) => cursorListPage(r, url, { page: null, perPage: 10, total: 50, nextCursor: next }, [])), cursorLink('http://x', url, next), `${url} cursor ${next}`)
      }
      t.equal(sent((r) => cursorListPage(r, url, { page: null, perPage: 10, total: 50, nextCursor: null }, [])), undefined, 'no next cursor, no Link')
    }
  }
  // Far more positions than are remembered: each answer still right (the oldest are dropped).
  for (let page = 1; page <= 1500; page++) {
    if (page % 100 === 0) t.equal(sent((r) => listPage(r, '/v1/posts', { page, perPage: 1, total: 2000 }, [])), pageLinks('http://x', '/v1/posts', page, 2000), `page ${page}`)
    else sent((r) => listPage(r, '/v1/posts', { page, perPage: 1, total: 2000 }, []))
  }
  t.equal(sent((r) => listPage(r, '/v1/posts', { page: 1, perPage: 1, total: 2000 }, [])), pageLinks('http://x', '/v1/posts', 1, 2000))
})
