import t from 'tap'
import { legacyPath } from '../../src/lib/legacy-url.js'

t.test('legacyPath: the form a redirect lookup compares', async (t) => {
  t.equal(legacyPath('https://old.example.com/2019/05/geneva-talks/'), '/2019/05/geneva-talks')
  t.equal(legacyPath('/2019/05/geneva-talks'), '/2019/05/geneva-talks', 'a path alone, no trailing slash')
  t.equal(legacyPath('http://other.host/2019/05/geneva-talks///?utm_source=x#top'), '/2019/05/geneva-talks', 'host, query and fragment do not count')
  t.equal(legacyPath('/caf%C3%A9/'), '/café', 'percent-escapes decoded')
  t.equal(legacyPath('/100%/'), '/100%', 'a stray % stays')
  t.equal(legacyPath('https://old.example.com/?p=202'), '/?p=202', 'plain permalinks keep their id')
  t.equal(legacyPath('/?page_id=7&x=1'), '/?page_id=7')
  t.equal(legacyPath('/'), '/')
  t.equal(legacyPath('javascript:alert(1)'), null)
  t.equal(legacyPath('   '), null)
  t.equal(legacyPath('/' + 'a'.repeat(2001)), null, 'too long')
})
