import t from 'tap'
import { suggestParameter } from '../../src/lib/field-problems.js'

const POSTS = ['q', 'category', 'tag', 'author', 'status', 'sort', 'page', 'per_page', 'cursor', 'fields', 'published_after', 'published_before']

t.test('an unknown query parameter names what the route calls it', async (t) => {
  t.same(suggestParameter('limit', POSTS), ['per_page'], 'Ghost/Strapi limit')
  t.same(suggestParameter('search', POSTS), ['q'], 'WordPress search')
  t.same(suggestParameter('orderby', POSTS), ['sort'])
  t.same(suggestParameter('categories', POSTS), ['category'])
  t.same(suggestParameter('offset', POSTS), ['cursor', 'page'])
  t.same(suggestParameter('Per_Page', POSTS), ['per_page'], 'case')
  t.same(suggestParameter('categroy', POSTS), ['category'], 'a typo')
  t.same(suggestParameter('publishd_after', POSTS), ['published_after'])
  t.same(suggestParameter('limit', ['q', 'page']), [], 'no hint for a parameter the route lacks')
  t.same(suggestParameter('utm_source', POSTS), [], 'nothing near')
  t.same(suggestParameter('x'.repeat(5000), POSTS), [], 'a long name is not compared')
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) t.same(suggestParameter(name, POSTS), [], `${name} is just a name`)
})
