import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

// A large, deterministic WordPress export for the import benchmark and memory check: a few
// authors and terms, then posts of a few kilobytes each with threaded comments, an attachment
// after every tenth post (its featured image), and a page now and then.

const WORDS = ('harbour ferry tide pier storm lighthouse market sailing island crew cargo dawn wind ' +
  'gull rope anchor deck cabin timetable weather council budget school road bridge river').split(' ')

function sentence (seed: number, n: number): string {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(WORDS[(seed * 31 + i * 17 + (i * i) % 7) % WORDS.length])
  const text = out.join(' ')
  return text[0].toUpperCase() + text.slice(1) + '.'
}

function paragraphs (seed: number, bytes: number): string {
  const parts: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const p = Array.from({ length: 5 }, (_, j) => sentence(seed + i * 5 + j, 12)).join(' ')
    parts.push(p)
    size += p.length + 2
  }
  // WordPress stores bodies without <p>: blank lines separate paragraphs.
  return parts.join('\n\n')
}

function cdata (s: string): string {
  return `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`
}

function gmt (ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

const HEAD = `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Generated Harbour</title>
<link>https://generated.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://generated.example.org</wp:base_site_url>
<wp:base_blog_url>https://generated.example.org</wp:base_blog_url>
`

/** Writes an export of about `targetBytes` to `file`; returns what it holds. */
export async function generateWxr (file: string, targetBytes: number, opts: { bodyBytes?: number, commentsPerPost?: number } = {}) {
  const bodyBytes = opts.bodyBytes ?? 6000
  const commentsPerPost = opts.commentsPerPost ?? 4
  const out = createWriteStream(file)
  let bytes = 0
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s)
    if (!out.write(s)) await once(out, 'drain')
  }
  await write(HEAD)
  for (let a = 1; a <= 5; a++) {
    await write(`<wp:author><wp:author_id>${a}</wp:author_id><wp:author_login>${cdata(`writer${a}`)}</wp:author_login><wp:author_email>${cdata(`writer${a}@generated.example.org`)}</wp:author_email><wp:author_display_name>${cdata(`Writer ${a}`)}</wp:author_display_name></wp:author>\n`)
  }
  for (let c = 1; c <= 30; c++) {
    const parent = c > 10 ? `section-${((c - 1) % 10) + 1}` : ''
    await write(`<wp:category><wp:term_id>${c}</wp:term_id><wp:category_nicename>${cdata(`section-${c}`)}</wp:category_nicename><wp:category_parent>${cdata(parent)}</wp:category_parent><wp:cat_name>${cdata(`Section ${c}`)}</wp:cat_name></wp:category>\n`)
  }
  for (let t = 1; t <= 100; t++) {
    await write(`<wp:tag><wp:term_id>${100 + t}</wp:term_id><wp:tag_slug>${cdata(`topic-${t}`)}</wp:tag_slug><wp:tag_name>${cdata(`Topic ${t}`)}</wp:tag_name></wp:tag>\n`)
  }
  const start = Date.UTC(2015, 0, 1)
  let posts = 0
  let comments = 0
  // eslint-disable-next-line no-unmodified-loop-condition -- write(), called in the body, adds to bytes
  for (let id = 1000; bytes < targetBytes; id++) {
    const n = id - 1000
    const date = start + n * 3_600_000
    const type = n % 50 === 49 ? 'page' : 'post'
    let item = `<item>
<title>${cdata(`${sentence(n, 6).slice(0, -1)} ${n}`)}</title>
<link>https://generated.example.org/?p=${id}</link>
<dc:creator>${cdata(`writer${(n % 5) + 1}`)}</dc:creator>
<guid isPermaLink="false">https://generated.example.org/?p=${id}</guid>
<content:encoded>${cdata(paragraphs(n, bodyBytes))}</content:encoded>
<excerpt:encoded>${cdata('')}</excerpt:encoded>
<wp:post_id>${id}</wp:post_id>
<wp:post_date>${cdata(gmt(date))}</wp:post_date>
<wp:post_date_gmt>${cdata(gmt(date))}</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status>
<wp:post_name>${cdata(`generated-${n}`)}</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>${type}</wp:post_type>
<category domain="category" nicename="section-${(n % 30) + 1}">${cdata(`Section ${(n % 30) + 1}`)}</category>
<category domain="post_tag" nicename="topic-${(n % 100) + 1}">${cdata(`Topic ${(n % 100) + 1}`)}</category>
<category domain="post_tag" nicename="topic-${((n * 7) % 100) + 1}">${cdata(`Topic ${((n * 7) % 100) + 1}`)}</category>
`
    if (n % 10 === 0) item += `<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>${cdata(String(id + 1_000_000))}</wp:meta_value></wp:postmeta>\n`
    for (let c = 1; c <= commentsPerPost; c++) {
      const cid = id * 100 + c
      const parent = c === 1 ? 0 : id * 100 + c - 1
      item += `<wp:comment><wp:comment_id>${cid}</wp:comment_id><wp:comment_author>${cdata(`Reader ${c}`)}</wp:comment_author><wp:comment_author_email>reader${c}@example.net</wp:comment_author_email><wp:comment_author_IP>192.0.2.${c}</wp:comment_author_IP><wp:comment_date_gmt>${cdata(gmt(date + c * 60_000))}</wp:comment_date_gmt><wp:comment_content>${cdata(sentence(cid, 20))}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent></wp:comment>\n`
    }
    item += '</item>\n'
    await write(item)
    if (type === 'post') {
      posts++
      comments += commentsPerPost
    }
    if (n % 10 === 0) {
      await write(`<item><title>image-${n}.jpg</title><guid isPermaLink="false">https://generated.example.org/wp-content/uploads/image-${n}.jpg</guid><wp:post_id>${id + 1_000_000}</wp:post_id><wp:post_date_gmt>${cdata(gmt(date))}</wp:post_date_gmt><wp:status>inherit</wp:status><wp:post_parent>${id}</wp:post_parent><wp:post_type>attachment</wp:post_type><wp:attachment_url>${cdata(`https://generated.example.org/wp-content/uploads/image-${n}.jpg`)}</wp:attachment_url></item>\n`)
    }
  }
  await write('</channel>\n</rss>\n')
  out.end()
  await once(out, 'finish')
  return { posts, comments, bytes }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2]
  const mb = Number(process.argv[3] ?? 50)
  if (!file || !Number.isFinite(mb) || mb <= 0) {
    console.error('usage: tsx src/scripts/gen-wxr.ts OUT.xml [MB]')
    process.exit(2)
  }
  const result = await generateWxr(file, mb * 1024 * 1024)
  console.log(`wrote ${file}: ${(result.bytes / 1048576).toFixed(1)} MB, ${result.posts} posts, ${result.comments} comments`)
}
