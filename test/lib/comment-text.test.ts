import t from 'tap'
import fc from 'fast-check'
import { countLinks, formatCommentText } from '../../src/lib/comment-text.js'
import { htmlToText } from '../../src/lib/text.js'

const link = (href: string, text = href) => `<a href="${href}" rel="nofollow ugc">${text}</a>`

t.test('plain text becomes paragraphs and line breaks', async (t) => {
  t.same(formatCommentText(''), { html: '', links: 0 })
  t.same(formatCommentText(' \n\r\n\t '), { html: '', links: 0 })
  t.equal(formatCommentText('Hello').html, '<p>Hello</p>')
  t.equal(formatCommentText('one\ntwo\n\nthree').html, '<p>one<br>two</p>\n<p>three</p>')
  t.equal(formatCommentText('crlf\r\nline\r\n\r\npara\rold-mac').html, '<p>crlf<br>line</p>\n<p>para<br>old-mac</p>')
  t.equal(formatCommentText('\n\n  a  \n \t \n\n\n  b  \n\n').html, '<p>a</p>\n<p>b</p>', 'blank lines with spaces separate paragraphs')
  t.equal(formatCommentText('שלום עולם\nمرحبا 🎉').html, '<p>שלום עולם<br>مرحبا 🎉</p>', 'RTL text and emoji pass through')
})

t.test('markup in a comment is escaped, never interpreted', async (t) => {
  t.equal(formatCommentText('<script>alert(1)</script>').html, '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>')
  t.equal(formatCommentText('<b onclick="x">hi</b> & \'q\'').html, '<p>&lt;b onclick=&quot;x&quot;&gt;hi&lt;/b&gt; &amp; &#39;q&#39;</p>')
  t.equal(formatCommentText('&lt; already escaped').html, '<p>&amp;lt; already escaped</p>')
  t.equal(formatCommentText('<p>x</p><br><a href="https://a.example">y</a>').links, 1, 'an href inside typed markup is still counted as a URL')
})

t.test('control, invalid and bidi-override characters are stripped', async (t) => {
  t.equal(formatCommentText('a\u0000b\u0007c\u001Fd\u007Fe\u0085f\uFFFEg\uD800h').html, '<p>abcdefgh</p>')
  t.equal(formatCommentText('name\u202Etxt.exe\u202C and \u2066isolate\u2069').html, '<p>nametxt.exe and isolate</p>')
  t.equal(formatCommentText('\uFEFFbom').html, '<p>bom</p>')
  t.equal(formatCommentText('zwj 👩\u200D👩\u200D👧 rlm \u200F ok').html, '<p>zwj 👩\u200D👩\u200D👧 rlm \u200F ok</p>', 'joiners and marks that real text needs stay')
  t.equal(formatCommentText('\u0000\u0001').html, '', 'nothing left, no empty paragraph')
})

t.test('http(s) URLs and www. hosts become nofollow ugc links', async (t) => {
  t.same(formatCommentText('see https://example.com/a'), { html: `<p>see ${link('https://example.com/a')}</p>`, links: 1 })
  t.same(formatCommentText('http://example.com'), { html: `<p>${link('http://example.com')}</p>`, links: 1 })
  t.same(formatCommentText('go to www.example.com/path now'), { html: `<p>go to ${link('https://www.example.com/path', 'www.example.com/path')} now</p>`, links: 1 })
  t.equal(formatCommentText('HTTPS://EXAMPLE.COM/X').html, `<p>${link('HTTPS://EXAMPLE.COM/X')}</p>`)
  t.equal(formatCommentText('https://例え.jp/パス').html, `<p>${link('https://例え.jp/パス')}</p>`, 'international URLs')
  t.equal(formatCommentText('a https://a.example b\nhttps://b.example\n\nwww.c.example').links, 3)
})

t.test('trailing punctuation is not part of a link', async (t) => {
  t.equal(formatCommentText('See https://example.com.').html, `<p>See ${link('https://example.com')}.</p>`)
  t.equal(formatCommentText('https://a.example/x, https://b.example/y; ok').html, `<p>${link('https://a.example/x')}, ${link('https://b.example/y')}; ok</p>`)
  t.equal(formatCommentText('(see https://example.com/a)').html, `<p>(see ${link('https://example.com/a')})</p>`)
  t.equal(formatCommentText('really? https://example.com/?q=1!?').html, `<p>really? ${link('https://example.com/?q=1')}!?</p>`)
  t.equal(formatCommentText('“https://example.com/q”').html, `<p>“${link('https://example.com/q')}”</p>`)
  t.equal(formatCommentText('https://en.wikipedia.org/wiki/Foo_(bar)').html, `<p>${link('https://en.wikipedia.org/wiki/Foo_(bar)')}</p>`, 'a balanced parenthesis stays')
  t.equal(formatCommentText('(https://en.wikipedia.org/wiki/Foo_(bar)).').html, `<p>(${link('https://en.wikipedia.org/wiki/Foo_(bar)')}).</p>`)
  t.equal(formatCommentText('[https://a.example/x]').html, `<p>[${link('https://a.example/x')}]</p>`)
  t.equal(formatCommentText('{https://a.example/x}').html, `<p>{${link('https://a.example/x')}}</p>`)
  t.equal(formatCommentText('https://a.example/path/').html, `<p>${link('https://a.example/path/')}</p>`, 'a trailing slash stays')
})

t.test('hrefs are escaped and cannot break out of the attribute', async (t) => {
  t.equal(formatCommentText('https://example.com/a?b=1&c=2').html, `<p>${link('https://example.com/a?b=1&amp;c=2')}</p>`)
  t.equal(formatCommentText('http://a.example/"onmouseover="alert(1)').html, `<p>${link('http://a.example/')}&quot;onmouseover=&quot;alert(1)</p>`)
  t.equal(formatCommentText("http://a.example/'><script>alert(1)</script>").html, `<p>${link('http://a.example/')}&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>`)
  t.equal(formatCommentText('https://a.example/\u200Bhidden').html, `<p>${link('https://a.example/')}\u200Bhidden</p>`, 'a zero-width character ends the URL')
})

t.test('other schemes and lookalikes are not linked', async (t) => {
  for (const text of ['javascript:alert(1)', 'JaVaScRiPt://example.com/%0aalert(1)', 'data:text/html,<b>x</b>', 'ftp://example.com/file',
    'mailto:a@example.com', 'xhttps://a.example', 'me@www.example.com', 'a.www.example.com', '//example.com', 'https://', 'https://.',
    'http://-', 'www.', 'www.,', 'www.example', 'https://[oops', 'http:///path']) {
    const out = formatCommentText(text)
    t.equal(out.links, 0, `${text} is not a link`)
    t.notMatch(out.html, /<a /, text)
  }
  t.equal(formatCommentText('javascript:alert(1)').html, '<p>javascript:alert(1)</p>')
})

t.test('countLinks counts what formatCommentText links', async (t) => {
  t.equal(countLinks(''), 0)
  t.equal(countLinks('no links here, just www and http words'), 0)
  t.equal(countLinks('https://a.example https://a.example www.b.example http://c.example/x.'), 4, 'repeats count too')
  t.equal(countLinks('https://a.example '.repeat(50)), 50)
})

t.test('10,000-character comments and pathological input stay fast', async (t) => {
  const long = 'Lorem ipsum dolor sit amet. '.repeat(360)
  t.ok(long.length > 10_000)
  t.equal(formatCommentText(long).html, `<p>${long.trim()}</p>`)
  const start = performance.now()
  const closers = formatCommentText(`https://a.example/${')'.repeat(10_000)}`)
  const dots = formatCommentText(`http://${'.'.repeat(10_000)}a`)
  const lines = formatCommentText('\n \n'.repeat(5_000) + 'x' + '\n'.repeat(5_000) + ' '.repeat(5_000))
  const www = formatCommentText('www.'.repeat(3_000))
  t.ok(performance.now() - start < 2000, 'well under two seconds')
  t.equal(closers.links, 1)
  t.equal(closers.html, `<p>${link('https://a.example/')}${')'.repeat(10_000)}</p>`)
  t.equal(dots.links, 0)
  t.equal(lines.html, '<p>x</p>')
  t.ok(www.links <= 1)
})

t.test('output is only p, br and a, and its text is the input text', async (t) => {
  const pieces = ['a', ' ', '\n', '\n\n', '\r\n', '<', '>', '&', '"', '\'', '(', ')', '.', ',', 'https://', 'http://', 'www.',
    'example.com', '/path', '?q=1', '#f', 'javascript:', '<script>', '\u0000', '\u202E', '🎉', 'שלום', '\u200B']
  const texts = fc.oneof(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 200 }))
  fc.assert(fc.property(texts, (text) => {
    const { html, links } = formatCommentText(text)
    const tags = [...html.matchAll(/<[^>]*>/g)].map((m) => m[0])
    const onlyAllowed = tags.every((tag) => /^<\/?p>$|^<br>$|^<\/a>$|^<a href="https?:\/\/[^"<>]+" rel="nofollow ugc">$/.test(tag))
    const anchors = tags.filter((tag) => tag.startsWith('<a ')).length
    // eslint-disable-next-line no-control-regex -- checks that no control character is left
    const visible = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    return onlyAllowed && anchors === links && htmlToText(html) === visible.replace(/\s+/g, ' ').trim()
  }), { numRuns: 2000 })
  t.pass('property held')
})
