import t from 'tap'
import { ifMatchPasses, onlyWeakTags } from '../../src/lib/if-match.js'

t.test('ifMatchPasses: RFC 9110 §13.1.1 with the strong comparison', async (t) => {
  const current = '"p1.2.abc"'
  t.ok(ifMatchPasses('"p1.2.abc"', current))
  t.ok(ifMatchPasses('  "p1.2.abc"  ', current), 'surrounding spaces')
  t.ok(ifMatchPasses('*', current))
  t.ok(ifMatchPasses(' * ', current))
  t.ok(ifMatchPasses('"x", "p1.2.abc"', current), 'any tag of a list')
  t.ok(ifMatchPasses('"x","p1.2.abc"', current), 'a list without spaces')
  t.notOk(ifMatchPasses('"p1.1.abc"', current), 'another version')
  t.notOk(ifMatchPasses('W/"p1.2.abc"', current), 'a weak tag never matches')
  t.notOk(ifMatchPasses('p1.2.abc', current), 'unquoted: malformed')
  t.notOk(ifMatchPasses('"p1.2.abc", *', current), '* is not a list member')
  t.notOk(ifMatchPasses('', current))
  t.notOk(ifMatchPasses('"a" "p1.2.abc"', current), 'tags need commas between them')
})

t.test('onlyWeakTags', async (t) => {
  t.ok(onlyWeakTags('W/"a"'))
  t.ok(onlyWeakTags('W/"a", W/"b"'))
  t.notOk(onlyWeakTags('W/"a", "b"'))
  t.notOk(onlyWeakTags('*'))
})
