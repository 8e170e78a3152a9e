import t from 'tap'
import { createReadStream, existsSync } from 'node:fs'
import { autoEmbed, hasBlocks, renderShortcodes, videoEmbed, wpautop } from '../../src/lib/wpautop.js'
import { readWxr, type WxrItem } from '../../src/lib/wxr.js'

// Expected outputs are what WordPress 6.x's wpautop() returns for the same input (trailing
// newline trimmed).
t.test('wpautop: paragraphs and line breaks as WordPress makes them', async (t) => {
  t.equal(wpautop('One\ntwo\n\nThree'), '<p>One<br />\ntwo</p>\n<p>Three</p>')
  t.equal(wpautop('One\r\n\r\nTwo'), '<p>One</p>\n<p>Two</p>', 'Windows line endings')
  t.equal(wpautop('A\n\n\n\nB'), '<p>A</p>\n<p>B</p>', 'many blank lines are one break')
  t.equal(wpautop('x<br><br>y'), '<p>x</p>\n<p>y</p>', 'double <br> is a paragraph break')
  t.equal(wpautop('a<br>b'), '<p>a<br />b</p>')
  t.equal(wpautop('   \n  '), '')
})

t.test('wpautop: block elements are not wrapped, <pre> and scripts keep their lines', async (t) => {
  t.equal(wpautop('Intro\n<ul>\n<li>x</li>\n</ul>\nOutro'), '<p>Intro</p>\n<ul>\n<li>x</li>\n</ul>\n<p>Outro</p>')
  t.equal(wpautop('<h2>Title</h2>\nText'), '<h2>Title</h2>\n<p>Text</p>')
  t.equal(wpautop('<div>inside</div>'), '<div>inside</div>')
  t.equal(wpautop('<pre>a\n\nb</pre>\n\ntext'), '<pre>a\n\nb</pre>\n<p>text</p>')
  t.equal(wpautop('<blockquote>Quote\n\nTwo</blockquote>'), '<blockquote><p>Quote</p>\n<p>Two</p></blockquote>')
  t.equal(wpautop('<script>a\nb</script>'), '<p><script>a\nb</script></p>', 'no <br /> inside a script')
  t.equal(wpautop('<img\n src="a.jpg"\n alt="x">\nafter'), '<p><img\n src="a.jpg"\n alt="x"><br />\nafter</p>', 'a newline inside a tag is not a break')
  t.equal(wpautop('<table><tr><td>1</td></tr></table>'), '<table>\n<tr>\n<td>1</td>\n</tr>\n</table>')
  t.equal(wpautop('<figure><img src="a.jpg">\n<figcaption>Cap</figcaption>\n</figure>'), '<figure><img src="a.jpg"><figcaption>Cap</figcaption></figure>', 'no break before a figcaption')
  t.equal(wpautop('Watch\n<video controls>\n<source src="a.mp4">\n</video>'), '<p>Watch<br />\n<video controls><source src="a.mp4"></video></p>', 'media sources kept tight')
  t.equal(wpautop('<object data="x">\n<param name="a" value="b">\n</object>'), '<p><object data="x"><param name="a" value="b"></object></p>')
  t.equal(wpautop('Pick\n<select>\n<option>a</option>\n<option>b</option>\n</select>'), '<p>Pick<br />\n<select><option>a</option><option>b</option></select></p>')
  t.equal(wpautop('one </pre> two\n\n<pre>x\n\ny</pre>'), '<p>one  two</p>\n<pre>x\n\ny</pre>', 'a stray </pre> is dropped, as WordPress drops it')
})

t.test('wpautop: block-editor bodies lose their comments and are not re-formatted', async (t) => {
  const body = '<!-- wp:paragraph -->\n<p>Block\none</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:image {"id":5,"sizeSlug":"large"} -->\n<figure class="wp-block-image"><img src="a.jpg"/></figure>\n<!-- /wp:image -->'
  t.ok(hasBlocks(body))
  t.notOk(hasBlocks('<!-- a comment -->'))
  t.equal(wpautop(body), '<p>Block\none</p>\n\n<figure class="wp-block-image"><img src="a.jpg"/></figure>')
  t.equal(wpautop('<!-- wp:paragraph --><p>Block</p><!-- /wp:paragraph -->'), '<p>Block</p>')
  t.equal(wpautop('<!-- wp:separator /-->\n<hr/>'), '<hr/>', 'self-closing block comments too')
})

t.test('renderShortcodes: captions become figures', async (t) => {
  t.equal(renderShortcodes('[caption id="1"]<img src="a.jpg"> Nice[/caption]'), '<figure><img src="a.jpg"><figcaption>Nice</figcaption></figure>')
  t.equal(renderShortcodes('[caption id="1" caption="From &quot;attr&quot;"]<a href="/big"><img src="a.jpg"></a>[/caption]'), '<figure><a href="/big"><img src="a.jpg"></a><figcaption>From &quot;attr&quot;</figcaption></figure>', 'old-style caption attribute, linked image')
  t.equal(renderShortcodes(wpautop('[caption id="attachment_1" align="alignleft" width="150"]<img src="a.jpg" width="150" /> The caption[/caption]\n\nNext')), '<figure><img src="a.jpg" width="150" /><figcaption>The caption</figcaption></figure>\n<p>Next</p>', 'not left inside the <p> wpautop put round it')
})

t.test('renderShortcodes: embeds become links, the rest is removed', async (t) => {
  t.equal(renderShortcodes('[embed]https://video.example.com/1[/embed]'), '<p><a href="https://video.example.com/1">https://video.example.com/1</a></p>')
  t.equal(renderShortcodes('[embed]javascript:alert(1)[/embed]'), '', 'only http(s) links')
  t.equal(renderShortcodes('[youtube https://www.youtube.com/watch?v=abc]'), '<p><a href="https://www.youtube.com/watch?v=abc">https://www.youtube.com/watch?v=abc</a></p>')
  t.equal(renderShortcodes('[youtube=https://www.youtube.com/watch?v=abc&w=320]'), '<p><a href="https://www.youtube.com/watch?v=abc&amp;w=320">https://www.youtube.com/watch?v=abc&amp;w=320</a></p>')
  t.equal(renderShortcodes('[video width="1" mp4="https://x.test/v.mp4"][/video]'), '<p><a href="https://x.test/v.mp4">https://x.test/v.mp4</a></p>')
  t.equal(renderShortcodes('[audio src="https://x.test/a.mp3" /]'), '<p><a href="https://x.test/a.mp3">https://x.test/a.mp3</a></p>')
  t.equal(renderShortcodes('a [gallery ids="1,2" columns="3"] b'), 'a  b')
  t.equal(renderShortcodes('<p>[gallery ids="1"]</p>\n<p>after</p>'), '<p>after</p>', 'a paragraph holding only a removed shortcode goes too')
  t.equal(renderShortcodes('[foo a="1"]in [bar]deep[/bar] text[/foo]'), 'in deep text', 'unknown enclosing shortcodes keep their content, nested too')
  t.equal(renderShortcodes('[[gallery]] and [[b]x[/b]]'), '[gallery] and [b]x[/b]', 'escaped shortcodes are literal')
  t.equal(renderShortcodes('<pre>[gallery]</pre> <code>[x]</code>'), '<pre>[gallery]</pre> <code>[x]</code>', 'code is left alone')
  t.equal(renderShortcodes('Arrays like a[0] and [1, 2] stay'), 'Arrays like a[0] and [1, 2] stay', 'brackets that are not shortcodes stay')
})

const THEME = new URL('../../../shared/fixtures/wxr/themeunittestdata.wordpress.xml', import.meta.url)
t.test('every post in the theme unit test data formats without leftover shortcodes or block comments', { skip: existsSync(THEME) ? false : 'the shared fixtures folder (../shared/fixtures/wxr) is absent' }, async (t) => {
  const posts: WxrItem[] = []
  for await (const e of readWxr(createReadStream(THEME))) if (e.kind === 'item' && e.item.postType === 'post') posts.push(e.item)
  let figures = 0
  for (const post of posts) {
    const html = renderShortcodes(wpautop(post.contentRaw))
    if (/<!--\s+\/?wp:|\[\/?(?:gallery|caption|audio|video|embed)\b/.test(html)) t.fail(`leftovers in "${post.title}"`)
    if (/<p>\s*<(?:figure|p|div|ul|h\d)\b/.test(html)) t.fail(`a block nested in a paragraph in "${post.title}"`)
    figures += html.split('<figcaption>').length - 1
  }
  t.ok(posts.length === 58 && figures > 5, `${posts.length} posts formatted, ${figures} captions turned into figures`)
  const alignment = posts.find((p) => p.title === 'Markup: Image Alignment')
  t.match(renderShortcodes(wpautop(alignment?.contentRaw ?? '')), /^<p>Welcome to image alignment!/)
})

t.test('videoEmbed: YouTube and Vimeo URLs as privacy-friendly players; anything else is null', async (t) => {
  t.same(videoEmbed('https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s'), {
    src: 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90',
    host: 'www.youtube-nocookie.com',
    pageUrl: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90',
    provider: 'YouTube'
  })
  t.equal(videoEmbed('https://youtu.be/dQw4w9WgXcQ')?.src, 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ')
  t.equal(videoEmbed('https://m.youtube.com/shorts/dQw4w9WgXcQ')?.src, 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ')
  t.equal(videoEmbed('https://vimeo.com/channels/staffpicks/76979871')?.src, 'https://player.vimeo.com/video/76979871?dnt=1')
  t.equal(videoEmbed('https://www.youtube.com/watch?v=short'), null, 'not a video id')
  t.equal(videoEmbed('https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ'), null, 'another host')
  t.equal(videoEmbed('javascript:alert(1)'), null)
})

t.test('autoEmbed: a URL alone on its line or in its paragraph, outside <pre>', async (t) => {
  const embed = (url: string) => videoEmbed(url) === null ? null : '[player]'
  t.equal(autoEmbed('Intro\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nEnd', embed), 'Intro\n\n[player]\n\nEnd')
  t.equal(autoEmbed('<p>https://vimeo.com/76979871</p>', embed), '[player]')
  t.equal(autoEmbed('See https://youtu.be/dQw4w9WgXcQ here', embed), 'See https://youtu.be/dQw4w9WgXcQ here', 'not alone on its line')
  t.equal(autoEmbed('https://example.com/page', embed), 'https://example.com/page', 'declined URLs stay')
  t.equal(autoEmbed('<pre>\nhttps://youtu.be/dQw4w9WgXcQ\n</pre>', embed), '<pre>\nhttps://youtu.be/dQw4w9WgXcQ\n</pre>')
})

t.test('renderShortcodes: embeds through the given function, Jetpack short forms, and tells what it removed', async (t) => {
  const dropped: string[] = []
  const opts = { embed: (url: string) => `<figure>${url}</figure>`, onDrop: (name: string) => { dropped.push(name) } }
  t.equal(renderShortcodes('[vimeo 76979871]', opts), '<figure>https://vimeo.com/76979871</figure>')
  t.equal(renderShortcodes('[youtube dQw4w9WgXcQ]', opts), '<figure>https://www.youtube.com/watch?v=dQw4w9WgXcQ</figure>')
  t.equal(renderShortcodes('[embed]https://youtu.be/dQw4w9WgXcQ[/embed]', opts), '<figure>https://youtu.be/dQw4w9WgXcQ</figure>')
  t.equal(renderShortcodes('<p>a [gallery ids="1"] b [vimeo] c</p>', opts), '<p>a  b  c</p>')
  t.same(dropped, ['gallery', 'vimeo'], 'a removed shortcode and a player with no media are both reported')
})
