import t from 'tap'
import fc from 'fast-check'
import { countWords, escapeHtml, htmlToText, makeExcerpt, readingTimeMinutes, stripInvalidXmlChars } from '../../src/lib/text.js'

t.test('htmlToText keeps visible text, separates blocks and decodes entities', async (t) => {
  t.equal(htmlToText(''), '')
  t.equal(htmlToText('plain'), 'plain')
  t.equal(htmlToText('<p>One</p><p>Two</p>'), 'One Two', 'paragraphs do not run together')
  t.equal(htmlToText('<h2>Title</h2><ul><li>a</li><li>b</li></ul><table><tr><td>c</td><td>d</td></tr></table>'), 'Title a b c d')
  t.equal(htmlToText('line<br>break<hr>rule'), 'line break rule')
  t.equal(htmlToText('<p>in<strong>line</strong> <em>stays</em> to<span>gether</span></p>'), 'inline stays together')
  t.equal(htmlToText('<p>a &amp; b &lt;tag&gt; &quot;q&quot; &#39;s&#39; &nbsp;c&hellip; &mdash; &#x1F600; &eacute;</p>'), 'a & b <tag> "q" \'s\' c… — 😀 é')
  t.equal(htmlToText('&amp;lt; stays one level deep'), '&lt; stays one level deep', 'entities are decoded once, not twice')
  t.equal(htmlToText('&bogus; & alone'), '&bogus; & alone')
  t.equal(htmlToText('<p>a</p><script>var x = "<p>hidden</p>"</script><style>p{}</style><noscript>ns</noscript><template>t</template><p>b</p>'), 'a b')
  t.equal(htmlToText('<img src="x.png" alt="alt text"><p>after</p>'), 'after', 'attributes are not text')
  t.equal(htmlToText('<p>  lots \n\n of\t\twhitespace  </p>'), 'lots of whitespace')
  t.equal(htmlToText('<p>bad &#1; control \u0007 chars</p>'), 'bad control chars')
  t.equal(htmlToText('<p>unclosed <b>bold <p>next'), 'unclosed bold next')
  t.equal(htmlToText('<p>שלום <bdi>עולם</bdi></p>'), 'שלום עולם', 'right-to-left text')
})

t.test('htmlToText stays linear on hostile input', async (t) => {
  const start = performance.now()
  const text = htmlToText('<p '.repeat(20_000) + '>' + '<'.repeat(20_000) + ' ' + 'word '.repeat(10_000))
  t.ok(performance.now() - start < 2000, 'well under two seconds')
  t.ok(text.startsWith('<<<') && text.endsWith('word word'))
})

t.test('countWords', async (t) => {
  t.equal(countWords(''), 0)
  t.equal(countWords('   \n\t '), 0)
  t.equal(countWords('Hello, world!'), 2)
  t.equal(countWords("don't state-of-the-art 3.14 e.g."), 4, 'inner apostrophes, hyphens and dots join a word')
  t.equal(countWords('Ça va très bien'), 4)
  t.equal(countWords('Привет мир'), 2)
  t.equal(countWords('مرحبا بالعالم'), 2, 'Arabic')
  t.equal(countWords('שלום עולם'), 2, 'Hebrew')
  t.equal(countWords('東京タワー'), 5, 'each CJK character counts')
  t.equal(countWords('I visited 東京 today'), 5)
  t.equal(countWords('🎉 🎉 — … !!!'), 0, 'emoji and punctuation are not words')
  t.equal(countWords('zero\u200Bwidth'), 2, 'a zero-width space separates words')
  t.equal(countWords('word '.repeat(10_000)), 10_000)
})

t.test('readingTimeMinutes is ceil(words / 230), at least 1', async (t) => {
  t.equal(readingTimeMinutes(0), 1)
  t.equal(readingTimeMinutes(1), 1)
  t.equal(readingTimeMinutes(230), 1)
  t.equal(readingTimeMinutes(231), 2)
  t.equal(readingTimeMinutes(2300), 10)
  t.equal(readingTimeMinutes(2301), 11)
})

t.test('makeExcerpt', async (t) => {
  t.equal(makeExcerpt(''), '')
  t.equal(makeExcerpt('<p>Short &amp; sweet.</p>'), 'Short & sweet.', 'short text is returned whole, without an ellipsis')
  const exact = 'a'.repeat(240)
  t.equal(makeExcerpt(`<p>${exact}</p>`), exact, 'exactly the limit is not cut')

  const long = `<h2>Heading</h2><p>${'lorem ipsum dolor '.repeat(40)}</p><p>Second paragraph.</p>`
  const excerpt = makeExcerpt(long)
  t.ok(excerpt.length <= 240, `${excerpt.length} characters`)
  t.ok(excerpt.startsWith('Heading lorem ipsum'))
  t.ok(excerpt.endsWith('…'))
  t.ok(htmlToText(long).startsWith(excerpt.slice(0, -1)), 'a prefix of the text')
  t.match(excerpt, /(lorem|ipsum|dolor)…$/, 'cut after a whole word')

  t.equal(makeExcerpt('<p>one two three four five</p>', 12), 'one two…')
  t.equal(makeExcerpt('<p>one two, three four</p>', 10), 'one two…', 'trailing punctuation before the ellipsis is dropped')
  t.equal(makeExcerpt('<p>abcdefghij klm</p>', 12), 'abcdefghij…', 'a space just past the limit keeps the whole word')
  t.equal(makeExcerpt(`<p>${'x'.repeat(500)}</p>`, 20), `${'x'.repeat(19)}…`, 'one long word is cut hard')
  t.equal(makeExcerpt('<p>abc</p>', 1), 'a…')

  const emoji = makeExcerpt(`<p>${'😀'.repeat(200)}</p>`, 20)
  t.equal(stripInvalidXmlChars(emoji), emoji, 'no lone surrogate where an emoji is cut')
  t.ok(emoji.length <= 20)

  const big = makeExcerpt(`<p>${'Breaking news from the wire. '.repeat(400)}</p>`)
  t.ok(big.length <= 240 && big.endsWith('…'), '10,000-character body')
})

t.test('stripInvalidXmlChars', async (t) => {
  t.equal(stripInvalidXmlChars(''), '')
  t.equal(stripInvalidXmlChars('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u000Eg\u001Fh'), 'abcdefgh', 'C0 controls')
  t.equal(stripInvalidXmlChars('tab\tlf\ncr\r'), 'tab\tlf\ncr\r', 'tab, LF and CR stay')
  t.equal(stripInvalidXmlChars('a\uFFFEb\uFFFFc'), 'abc', 'non-characters U+FFFE and U+FFFF')
  t.equal(stripInvalidXmlChars('lone \uD800 high, lone \uDC00 low, reversed \uDC00\uD800 end'), 'lone  high, lone  low, reversed  end')
  t.equal(stripInvalidXmlChars('😀 𝄞 é 東 \u200B \u202E \uFFFD'), '😀 𝄞 é 東 \u200B \u202E \uFFFD', 'valid pairs and other characters stay')
  fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xFFFF }).map((c) => String.fromCharCode(c)), maxLength: 100 }), (s) => {
    const out = stripInvalidXmlChars(s)
    // The XML 1.0 Char production, checked code point by code point.
    return [...out].every((ch) => {
      const c = ch.codePointAt(0) as number
      return c === 0x9 || c === 0xA || c === 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF)
    }) && stripInvalidXmlChars(out) === out
  }), { numRuns: 1000 })
})

t.test('escapeHtml', async (t) => {
  t.equal(escapeHtml(''), '')
  t.equal(escapeHtml('<a href="x" title=\'y\'>&amp;</a>'), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;')
  t.equal(escapeHtml('plain 東京 😀'), 'plain 東京 😀')
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
    const escaped = escapeHtml(s)
    return !/[<>"']/.test(escaped) && escaped.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] as string) === s
  }))
})
