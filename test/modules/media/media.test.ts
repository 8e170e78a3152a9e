import { test, type Test } from 'tap'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type AddressInfo } from 'node:net'
import sharp from 'sharp'
import { buildTestApp, adminAuth, keyAuth } from '../../helper.js'
import { makeAuthor } from '../../helpers/factories.js'

// Real images, made by sharp in the test: no binary fixtures.

async function jpeg (width: number, height: number, opts: { orientation?: number, gps?: boolean } = {}): Promise<Buffer> {
  let img = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } }).jpeg({ quality: 80 })
  if (opts.orientation !== undefined || opts.gps === true) {
    img = img.withExif({ IFD0: { Make: 'TestCam' }, ...(opts.gps === true ? { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } } : {}) })
      .withMetadata({ orientation: opts.orientation ?? 1 })
  }
  return await img.toBuffer()
}
const png = async (width: number, height: number) => await sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer()

async function form (fields: Record<string, string>, file?: { name: string, bytes: Buffer, type?: string }, fileField = 'file') {
  const fd = new FormData()
  for (const [k, v] of Object.entries(fields)) fd.append(k, v)
  if (file !== undefined) fd.append(fileField, new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name)
  const res = new Response(fd)
  return { payload: Buffer.from(await res.arrayBuffer()), headers: { 'content-type': res.headers.get('content-type') as string } }
}

async function setup (t: Test, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-media-test-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const app = await buildTestApp(t, { MEDIA_PATH: dir, PUBLIC_API_URL: 'https://api.example.com', ...env })
  async function upload (fields: Record<string, string>, file?: { name: string, bytes: Buffer, type?: string }, headers: Record<string, string> = adminAuth, fileField?: string) {
    const f = await form(fields, file, fileField)
    return await app.inject({ method: 'POST', url: '/v1/media', headers: { ...headers, ...f.headers }, payload: f.payload })
  }
  const fileCount = (sub: string) => existsSync(join(dir, sub))
    ? readdirSync(join(dir, sub), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
    : 0
  return { app, dir, upload, fileCount }
}

/** The local path of an absolute media URL. */
const local = (url: string) => url.replace('https://api.example.com', '')

test('upload: 201 with the record; the type, orientation and size come from the bytes', async (t) => {
  const { app, upload, fileCount } = await setup(t)
  // 600×400 stored sideways (EXIF orientation 6): displayed 400×600.
  const sideways = await jpeg(600, 400, { orientation: 6, gps: true })
  const before = await sharp(sideways).metadata()
  t.same([before.orientation, before.exif !== undefined], [6, true], 'the upload has EXIF orientation and GPS')
  const res = await upload({ alt: 'A red square', caption: 'Caption', credit: 'Ana Ruiz', title: 'Test' }, { name: '../../etc/My Photo.PNG', bytes: sideways, type: 'image/png' })
  t.equal(res.statusCode, 201, res.body)
  const m = res.json().data
  t.equal(res.headers.location, `/v1/media/${m.id}`)
  t.equal(m.mime_type, 'image/jpeg', 'sniffed, not the declared image/png')
  t.match(m.filename, /^my-photo-[0-9a-f]{8}\.jpg$/, 'sanitized name, hash prefix, the real extension')
  t.equal(m.url, `https://api.example.com/media/${m.id}/${m.filename}`)
  t.same([m.width, m.height, m.original_width, m.original_height], [400, 600, 400, 600])
  t.same([m.alt, m.caption, m.credit, m.title], ['A red square', 'Caption', 'Ana Ruiz', 'Test'])
  t.same(m.variants.map((v: { format: string, width: number }) => `${v.format}:${v.width}`), ['webp:160', 'webp:320', 'webp:400', 'avif:160', 'avif:320', 'avif:400'])
  t.equal(m.variants[0].height, 240)
  t.equal(m.srcset, `${m.url}?w=160&format=webp 160w, ${m.url}?w=320&format=webp 320w, ${m.url}?format=webp 400w`)
  t.equal(fileCount('originals'), 1)
  t.equal(fileCount('tmp'), 0)

  // The served image: oriented, no EXIF or GPS left.
  const img = await app.inject({ url: local(m.url) })
  t.equal(img.statusCode, 200)
  t.equal(img.headers['content-type'], 'image/jpeg')
  t.equal(img.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(Number(img.headers['content-length']), img.rawPayload.length)
  const meta = await sharp(img.rawPayload).metadata()
  t.same([meta.width, meta.height], [400, 600])
  t.equal(meta.exif, undefined, 'no EXIF')
  t.equal(meta.orientation, undefined)

  // ETag and 304.
  const again = await app.inject({ url: local(m.url), headers: { 'if-none-match': String(img.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.rawPayload.length, 0)
})

test('upload: refusals store nothing', async (t) => {
  const { app, upload, fileCount } = await setup(t, { MEDIA_MAX_BYTES: '20000', MEDIA_MAX_PIXELS: '250000' })
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>')
  let res = await upload({}, { name: 'x.jpg', bytes: svg, type: 'image/jpeg' })
  t.equal(res.statusCode, 415, 'SVG refused whatever its name and type')
  t.equal(res.json().code, 'UNSUPPORTED_MEDIA_FILE')
  t.same(res.json().accepted, ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif'])

  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 32)])
  res = await upload({}, { name: 'x.png', bytes: pdf })
  t.equal(res.statusCode, 415)

  // Random bytes past the limit: 413 (a noise PNG compresses badly, so it is large).
  const noise = await sharp(Buffer.from(Array.from({ length: 200 * 200 * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: 200, height: 200, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer()
  t.ok(noise.length > 20000)
  res = await upload({}, { name: 'big.png', bytes: noise })
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'MEDIA_TOO_LARGE')

  // Over the pixel limit (a decompression bomb is the extreme case): 422 before decoding.
  res = await upload({}, { name: 'wide.png', bytes: await png(1000, 300) })
  t.equal(res.statusCode, 422)
  t.match(res.json().detail, /1000×300 pixels, more than 250000/)

  // A truncated JPEG: its header reads, its pixels do not.
  const whole = await sharp(Buffer.from(Array.from({ length: 100 * 100 * 3 }, (_, i) => (i * 31) % 256)), { raw: { width: 100, height: 100, channels: 3 } }).jpeg().toBuffer()
  res = await upload({}, { name: 'cut.jpg', bytes: whole.subarray(0, Math.floor(whole.length / 2)) })
  t.equal(res.statusCode, 422)
  t.equal(res.json().code, 'UNREADABLE_IMAGE')

  // Form mistakes.
  res = await upload({ alt: 'no file' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().errors[0].path, 'file')
  res = await upload({ colour: 'red' }, { name: 'a.png', bytes: await png(10, 10) })
  t.equal(res.statusCode, 400)
  t.equal(res.json().errors[0].path, 'colour')
  res = await upload({ alt: 'x'.repeat(1001) }, { name: 'a.png', bytes: await png(10, 10) })
  t.equal(res.statusCode, 400)
  t.equal(res.json().errors[0].path, 'alt')

  t.equal(fileCount('originals'), 0)
  t.equal(fileCount('renders'), 0)
  t.equal(fileCount('tmp'), 0)
  const list = await app.inject({ url: '/v1/media', headers: adminAuth })
  t.equal(list.json().meta.total, 0)
})

test('upload: auth, scope and content type come first', async (t) => {
  const { app, upload } = await setup(t)
  const bytes = await png(10, 10)
  t.equal((await upload({}, { name: 'a.png', bytes }, {})).statusCode, 401)
  t.equal((await upload({}, { name: 'a.png', bytes }, keyAuth(app, 'read:drafts'))).statusCode, 403)
  t.equal((await upload({}, { name: 'a.png', bytes }, keyAuth(app, 'write:content'))).statusCode, 201)
  const json = await app.inject({ method: 'POST', url: '/v1/media', headers: adminAuth, payload: { file: 'x' } })
  t.equal(json.statusCode, 415)
  t.same(json.json().accepted, ['multipart/form-data'])
  t.equal((await app.inject({ url: '/v1/media' })).statusCode, 401, 'the library is for editors')
})

test('serving: sizes snap to the ladder, formats convert, renders are cached on disk', async (t) => {
  const { app, upload, fileCount } = await setup(t)
  const m = (await upload({}, { name: 'wide.jpg', bytes: await jpeg(1000, 500) })).json().data
  const path = local(m.url)
  const rendersBefore = fileCount('renders')

  let res = await app.inject({ url: `${path}?w=300` })
  t.equal(res.statusCode, 200)
  let meta = await sharp(res.rawPayload).metadata()
  t.same([meta.format, meta.width, meta.height], ['jpeg', 320, 160], '300 snaps up to 320')
  const res2 = await app.inject({ url: `${path}?w=301` })
  t.equal(res2.headers.etag, res.headers.etag, 'the same render')
  t.equal(fileCount('renders'), rendersBefore + 1, 'one file for both')

  res = await app.inject({ url: `${path}?w=5000` })
  meta = await sharp(res.rawPayload).metadata()
  t.same([meta.width, meta.height], [1000, 500], 'never enlarged')

  res = await app.inject({ url: `${path}?w=640&format=webp` })
  t.equal(res.headers['content-type'], 'image/webp')
  t.equal(res.headers.vary, undefined)
  t.same([(await sharp(res.rawPayload).metadata()).format, (await sharp(res.rawPayload).metadata()).width], ['webp', 640])

  res = await app.inject({ url: `${path}?w=160&h=160&fit=cover&format=png` })
  meta = await sharp(res.rawPayload).metadata()
  t.same([meta.format, meta.width, meta.height], ['png', 160, 160])
  res = await app.inject({ url: `${path}?w=160&h=160&fit=inside` })
  meta = await sharp(res.rawPayload).metadata()
  t.same([meta.width, meta.height], [160, 80])

  res = await app.inject({ url: `${path}?w=160&format=auto`, headers: { accept: 'image/avif,image/webp,*/*' } })
  t.equal(res.headers['content-type'], 'image/avif')
  t.equal(res.headers.vary, 'Accept')
  res = await app.inject({ url: `${path}?w=160&format=auto`, headers: { accept: 'image/webp,*/*' } })
  t.equal(res.headers['content-type'], 'image/webp')
  res = await app.inject({ url: `${path}?w=160&format=auto`, headers: { accept: '*/*' } })
  t.equal(res.headers['content-type'], 'image/jpeg')

  const head = await app.inject({ method: 'HEAD', url: `${path}?w=640&format=webp` })
  t.same([head.statusCode, head.headers['content-type'], head.rawPayload.length], [200, 'image/webp', 0], 'HEAD: the headers alone')

  t.equal((await app.inject({ url: `${path}?w=0` })).statusCode, 400)
  t.equal((await app.inject({ url: `${path}?width=100` })).statusCode, 400, 'unknown parameters are refused')
  t.equal((await app.inject({ url: `${path}?format=tiff` })).statusCode, 400)
  t.equal((await app.inject({ url: `/media/${m.id}/other-name.jpg` })).statusCode, 404, 'only the record\'s own filename')
  t.equal((await app.inject({ url: `/media/${m.id}/..%2F..%2Fetc%2Fpasswd` })).statusCode, 400)
  t.equal((await app.inject({ url: `/media/999/${m.filename}` })).statusCode, 404)
})

test('list by cursor, read, change, delete', async (t) => {
  const { app, upload, fileCount } = await setup(t)
  const ids: number[] = []
  for (const [i, bytes] of [await jpeg(20, 20), await png(30, 30), await jpeg(40, 40)].entries()) {
    ids.push((await upload({ title: `n${i}` }, { name: `f${i}`, bytes })).json().data.id)
  }
  let res = await app.inject({ url: '/v1/media?per_page=2', headers: adminAuth })
  t.equal(res.statusCode, 200)
  t.same(res.json().data.map((m: { id: number }) => m.id), [ids[2], ids[1]])
  t.equal(res.json().meta.total, 3)
  const cursor = res.json().meta.next_cursor
  t.type(cursor, 'string')
  res = await app.inject({ url: `/v1/media?per_page=2&cursor=${cursor}`, headers: adminAuth })
  t.same(res.json().data.map((m: { id: number }) => m.id), [ids[0]])
  t.equal(res.json().meta.next_cursor, null)
  t.equal((await app.inject({ url: '/v1/media?cursor=nonsense', headers: adminAuth })).statusCode, 400)

  res = await app.inject({ url: '/v1/media?type=image/png', headers: adminAuth })
  t.same(res.json().data.map((m: { id: number }) => m.id), [ids[1]])
  res = await app.inject({ url: '/v1/media?type=image', headers: adminAuth })
  t.equal(res.json().meta.total, 3)
  res = await app.inject({ url: '/v1/media?created_after=2999-01-01T00:00:00Z', headers: adminAuth })
  t.equal(res.json().meta.total, 0)

  res = await app.inject({ method: 'PATCH', url: `/v1/media/${ids[0]}`, headers: adminAuth, payload: { alt: 'New alt', credit: 'AP' } })
  t.equal(res.statusCode, 200)
  t.same([res.json().data.alt, res.json().data.credit, res.json().data.title], ['New alt', 'AP', 'n0'])
  t.equal((await app.inject({ url: `/v1/media/${ids[0]}`, headers: adminAuth })).json().data.alt, 'New alt')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/media/${ids[0]}`, headers: adminAuth, payload: { width: 3 } })).statusCode, 400)
  t.equal((await app.inject({ url: '/v1/media/999', headers: adminAuth })).statusCode, 404)

  // Deleting removes the original and its renders.
  const gone = (await app.inject({ url: `/v1/media/${ids[2]}`, headers: adminAuth })).json().data
  await app.inject({ url: `${local(gone.url)}?w=20&format=webp` })
  const before = [fileCount('originals'), fileCount('renders')]
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/media/${ids[2]}`, headers: adminAuth })).statusCode, 204)
  t.same([fileCount('originals'), fileCount('renders')], [before[0] - 1, before[1] - 2], 'the original, the upload check render and the requested one')
  t.equal((await app.inject({ url: local(gone.url) })).statusCode, 404)
})

test('the same bytes twice are one file; deleting one record keeps it for the other', async (t) => {
  const { app, upload, fileCount } = await setup(t)
  const bytes = await jpeg(50, 50)
  const a = (await upload({}, { name: 'a.jpg', bytes })).json().data
  const b = (await upload({}, { name: 'b.jpg', bytes })).json().data
  t.equal(fileCount('originals'), 1)
  await app.inject({ method: 'DELETE', url: `/v1/media/${a.id}`, headers: adminAuth })
  t.equal(fileCount('originals'), 1)
  t.equal((await app.inject({ url: local(b.url) })).statusCode, 200)
  await app.inject({ method: 'DELETE', url: `/v1/media/${b.id}`, headers: adminAuth })
  t.equal(fileCount('originals'), 0)
  t.equal(fileCount('renders'), 0)
})

test('posts: featured_media_id gives featured_image with size and srcset; 409 on delete unless forced', async (t) => {
  const { app, upload } = await setup(t)
  const m = (await upload({ alt: 'Harbour', caption: 'At dawn', credit: 'Ana' }, { name: 'harbour.jpg', bytes: await jpeg(3000, 2000) })).json().data
  t.same([m.width, m.height], [2560, 1707], 'served at most 2560 wide')
  const author = makeAuthor(app.db)
  let res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'With image', author_id: author.id, status: 'published', featured_media_id: m.id } })
  t.equal(res.statusCode, 201, res.body)
  const post = res.json().data
  t.same(post.featured_image, { media_id: m.id, url: m.url, alt: 'Harbour', width: 2560, height: 1707, srcset: m.srcset, caption: 'At dawn', credit: 'Ana' })
  res = await app.inject({ url: `/v1/posts/${post.slug}` })
  t.same(res.json().data.featured_image.width, 2560)
  res = await app.inject({ url: '/v1/posts?fields=id,featured_image' })
  t.equal(res.json().data[0].featured_image.media_id, m.id, 'lists too')

  // The alt changed in the library shows in the post at once.
  await app.inject({ method: 'PATCH', url: `/v1/media/${m.id}`, headers: adminAuth, payload: { alt: 'The harbour' } })
  t.equal((await app.inject({ url: `/v1/posts/${post.slug}` })).json().data.featured_image.alt, 'The harbour')

  // External URLs stay allowed, with null dimensions; setting one clears the library image.
  res = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { featured_image: { url: 'https://img.example.com/a.jpg', alt: 'A' } } })
  t.same(res.json().data.featured_image, { media_id: null, url: 'https://img.example.com/a.jpg', alt: 'A', width: null, height: null, srcset: null, caption: null, credit: null })
  res = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { featured_media_id: m.id } })
  t.equal(res.json().data.featured_image.media_id, m.id)

  // Unknown or conflicting: 422 naming the field.
  res = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { featured_media_id: 999 } })
  t.equal(res.statusCode, 422)
  t.equal(res.json().errors[0].path, 'featured_media_id')
  res = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { featured_media_id: m.id, featured_image: { url: 'https://img.example.com/b.jpg' } } })
  t.equal(res.statusCode, 422)

  res = await app.inject({ method: 'DELETE', url: `/v1/media/${m.id}`, headers: adminAuth })
  t.equal(res.statusCode, 409)
  t.match(res.json().detail, /featured image of 1 post/)
  res = await app.inject({ method: 'DELETE', url: `/v1/media/${m.id}?force=true`, headers: adminAuth })
  t.equal(res.statusCode, 204)
  t.equal((await app.inject({ url: `/v1/posts/${post.slug}` })).json().data.featured_image, null)

  res = await app.inject({ method: 'PATCH', url: `/v1/posts/${post.id}`, headers: adminAuth, payload: { featured_media_id: null } })
  t.equal(res.statusCode, 200)
})

test('post bodies: library images get width, height, srcset and sizes when read', async (t) => {
  const { app, upload } = await setup(t)
  const m = (await upload({}, { name: 'inline.jpg', bytes: await jpeg(1200, 800) })).json().data
  const author = makeAuthor(app.db)
  const html = `<p>Before</p><figure><img src="${m.url}" alt="Inline"><figcaption>C</figcaption></figure>` +
    `<p><img src="/media/${m.id}/${m.filename}?w=600" alt="Relative, sized"></p>` +
    `<p><img src="${m.url}" alt="Own size" width="10" height="10" srcset="${m.url} 1x"></p>` +
    `<p><img src="https://api.example.com/media/${m.id}/other-name.jpg" alt="Wrong name"></p>` +
    '<p><img src="https://elsewhere.example.com/media/1/a.jpg" alt="Elsewhere"></p>'
  const res = await app.inject({ method: 'POST', url: '/v1/posts', headers: adminAuth, payload: { title: 'Body images', author_id: author.id, status: 'published', content_html: html } })
  t.equal(res.statusCode, 201, res.body)
  const body: string = (await app.inject({ url: '/v1/posts/body-images' })).json().data.content_html
  const srcset = m.srcset.replace(/&/g, '&amp;')
  t.match(body, `<img src="${m.url}" alt="Inline" width="1200" height="800" srcset="${srcset}" sizes="(max-width: 1200px) 100vw, 1200px" />`)
  t.match(body, `alt="Relative, sized" width="640" height="427" srcset="${srcset}"`, 'a ?w= image gets the snapped size')
  t.match(body, `alt="Own size" width="10" height="10" srcset="${m.url} 1x" sizes=`, 'what the author wrote is kept')
  t.match(body, '<img src="https://api.example.com/media/' + m.id + '/other-name.jpg" alt="Wrong name" />', 'an unknown filename is left alone')
  t.match(body, '<img src="https://elsewhere.example.com/media/1/a.jpg" alt="Elsewhere" />', 'other hosts are left alone')
  // Lists that ask for the body get the same.
  const listed = (await app.inject({ url: '/v1/posts?fields=id,content_html' })).json().data[0].content_html
  t.equal(listed, body)
})

test('an upload cut off mid-way leaves no file and no row (a real HTTP server)', async (t) => {
  const { app, fileCount } = await setup(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  // Noise, uncompressed: 270 kB, so a third of the form is well into the file.
  const noise = await sharp(Buffer.from(Array.from({ length: 300 * 300 * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: 300, height: 300, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer()
  const whole = await form({ alt: 'cut' }, { name: 'big.png', bytes: noise })
  // Claim the whole form, send a third of it (past the sniffing), then drop the connection.
  const sent = whole.payload.subarray(0, Math.floor(whole.payload.length / 3))
  await new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST /v1/media HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${adminAuth.authorization}\r\ncontent-type: ${whole.headers['content-type']}\r\ncontent-length: ${whole.payload.length}\r\n\r\n`)
      socket.write(sent, () => { setTimeout(() => { socket.destroy(); resolve() }, 200) })
    })
    socket.on('error', () => {})
  })
  // The server notices the close; wait for its cleanup (bounded: 100 × 50 ms).
  for (let i = 0; i < 100 && fileCount('tmp') > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(fileCount('tmp'), 0, 'the temporary file is gone')
  t.equal(fileCount('originals'), 0)
  t.equal((await app.inject({ url: '/v1/media', headers: adminAuth })).json().meta.total, 0)
})
