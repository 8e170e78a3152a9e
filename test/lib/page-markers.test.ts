import t from 'tap'
import { sanitizePostHtml } from '../../src/lib/sanitize.js'
import { moreMarkerAt, unwrapMarkers } from '../../src/lib/page-markers.js'

t.test('sanitizing keeps <!--more--> and <!--nextpage--> in their canonical forms and drops other comments', async (t) => {
  const out = sanitizePostHtml('<p>Teaser</p><!--more--><p>Rest</p><!-- secret note --><p>x</p>\n<p><!--nextpage--></p><p>Page 2</p>')
  t.equal(out, '<p>Teaser</p><!--more--><p>Rest</p><p>x</p>\n<!--nextpage--><p>Page 2</p>')
  t.equal(sanitizePostHtml('<!--MORE  Read on -->'), '<!--more Read on-->', 'the link text is kept, the name lower-cased')
  t.equal(sanitizePostHtml('<!--noteaser-->'), '<!--noteaser-->')
})

t.test('a marker cannot carry markup: odd link texts are dropped, markers inside tags vanish', async (t) => {
  t.equal(sanitizePostHtml('<!--more <img src=x onerror=alert(1)>-->'), '', 'not a marker at all: a comment, dropped with what is inside')
  t.equal(sanitizePostHtml('<!--more a--b-->'), '<!--more-->', 'a link text with "--" would end the comment early')
  t.equal(sanitizePostHtml('<!--more "quoted" & fine-->'), '<!--more "quoted" & fine-->')
  const inAttr = sanitizePostHtml('<a href="https://x.example/" title="<!--more-->">x</a>')
  t.notMatch(inAttr, /\uE000|<!--/, 'a marker in an attribute leaves neither the marker nor the placeholder')
  t.match(inAttr, /<a href="https:\/\/x\.example\/"/)
})

t.test('moreMarkerAt and unwrapMarkers', async (t) => {
  t.equal(moreMarkerAt('<p>a</p><!--more-->'), 8)
  t.equal(moreMarkerAt('<p>no marker</p>'), -1)
  t.equal(unwrapMarkers('<p><!--nextpage--></p><p>x</p>'), '<!--nextpage--><p>x</p>')
})
