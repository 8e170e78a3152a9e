import t from 'tap'
import { dropUnknownParams, knownParams, urlWithoutUnknownParams } from '../../src/lib/query-params.js'

t.test('urlWithoutUnknownParams keeps the known parameters as sent, in order', async (t) => {
  const keep = new Set(['category', 'limit'])
  t.equal(urlWithoutUnknownParams('/feeds/rss.xml', keep), '/feeds/rss.xml')
  t.equal(urlWithoutUnknownParams('/feeds/rss.xml?', keep), '/feeds/rss.xml')
  t.equal(urlWithoutUnknownParams('/feeds/rss.xml?utm_source=feedly&utm_medium=rss', keep), '/feeds/rss.xml')
  t.equal(urlWithoutUnknownParams('/feeds/rss.xml?utm_source=x&limit=5&fbclid=y&category=a%20b', keep), '/feeds/rss.xml?limit=5&category=a%20b')
  t.equal(urlWithoutUnknownParams('/f?lim%69t=5&&category', keep), '/f?lim%69t=5&category', 'names are compared decoded, as the parser reads them')
  t.equal(urlWithoutUnknownParams('/f?%E0%A4%A=1&limit=2', keep), '/f?limit=2', 'a name that does not decode is never a known one')
  t.equal(urlWithoutUnknownParams('/f?a=1', new Set()), '/f')
})

t.test('knownParams reads a querystring schema; dropUnknownParams edits a parsed query', async (t) => {
  const schema = { type: 'object', properties: { limit: {}, tag: {} } }
  t.same([...knownParams(schema)], ['limit', 'tag'])
  t.equal(knownParams(schema), knownParams(schema), 'remembered per schema')
  t.same([...knownParams(undefined)], [])
  const query: Record<string, unknown> = { limit: '2', utm_source: 'x', tag: 'a' }
  dropUnknownParams(query, knownParams(schema))
  t.same(query, { limit: '2', tag: 'a' })
})
