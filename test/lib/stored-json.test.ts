import t from 'tap'
import { createHash } from 'node:crypto'
import { envelopeEtag, envelopeOf } from '../../src/lib/stored-json.js'

const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('base64url')

t.test('envelopeOf writes the list envelope around the items, as the string join did', async (t) => {
  const items = ['{"id":1,"title":"Ünïcödé — “quoted”"}', '{"id":2}', '{"id":3,"t":"😀"}']
  const meta = '{"page":1,"per_page":10,"total":3,"total_pages":1,"next_cursor":null,"x":"é"}'
  const expected = `{"data":[${items.join(',')}],"meta":${meta}}`
  t.same(envelopeOf(items.map((s) => Buffer.from(s)), meta), Buffer.from(expected))
  t.equal(envelopeOf([], meta).toString(), `{"data":[],"meta":${meta}}`, 'an empty page')
  t.equal(envelopeOf([Buffer.from('{}')], '{}').toString(), '{"data":[{}],"meta":{}}', 'one item')
})

t.test('envelopeEtag changes with any item hash, their order or the meta, and only with them', async (t) => {
  const a = sha1('{"id":1}')
  const b = sha1('{"id":2}')
  const meta = '{"page":1}'
  const tag = envelopeEtag([a, b], meta)
  t.equal(envelopeEtag([a, b], meta), tag, 'the same inputs, the same tag')
  t.not(envelopeEtag([b, a], meta), tag, 'order')
  t.not(envelopeEtag([a], meta), tag, 'one item fewer')
  t.not(envelopeEtag([a, b], '{"page":2}'), tag, 'meta')
  t.not(envelopeEtag([a, sha1('{"id":3}')], meta), tag, 'another item')
  t.not(envelopeEtag([a, b, ''], meta), tag, 'no boundary ambiguity between items and meta')
  t.match(tag, /^[A-Za-z0-9_-]{27}$/, 'a base64url SHA-1')
})
