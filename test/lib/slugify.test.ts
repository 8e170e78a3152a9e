import t from 'tap'
import fc from 'fast-check'
import { Ajv } from 'ajv'
import { isValidSlug, slugify, SLUG_PATTERN, uniqueSlug } from '../../src/lib/slugify.js'

t.test('transliterates Unicode titles to lowercase ASCII words', async (t) => {
  t.equal(slugify('Ça va très bien'), 'ca-va-tres-bien')
  t.equal(slugify('Привет мир'), 'privet-mir')
  t.equal(slugify('Ελληνικά νέα'), 'ellinika-nea')
  t.equal(slugify('Straße in Zürich'), 'strasse-in-zurich')
  t.equal(slugify('Æsir Øre'), 'aesir-ore')
  t.equal(slugify('ﬁnal ﬁgures'), 'final-figures', 'compatibility ligatures are unfolded')
  for (const title of ['東京', '日本語のテキスト', 'שלום עולם', 'مرحبا بالعالم', '서울 소식']) {
    const slug = slugify(title)
    t.ok(isValidSlug(slug), `${title} → ${slug}`)
    t.not(slug, 'item', `${title} is not reduced to the fallback`)
  }
})

t.test('punctuation, spaces and symbols collapse to single hyphens, trimmed', async (t) => {
  t.equal(slugify('  --Hello,   World!--  '), 'hello-world')
  t.equal(slugify('C++ & Rust: a/b_test'), 'c-rust-a-b-test')
  t.equal(slugify("Don't stop believin’"), 'dont-stop-believin', 'apostrophes join the word')
  t.equal(slugify('Hello 🎉 World 👩‍👩‍👧'), 'hello-world', 'emoji are dropped')
  t.equal(slugify('Tab\tand\nnewline'), 'tab-and-newline')
})

t.test('invisible format characters do not split a word', async (t) => {
  t.equal(slugify('co\u00ADoperation'), 'cooperation', 'soft hyphen')
  t.equal(slugify('zero\u200Bwidth'), 'zerowidth', 'zero-width space')
  t.equal(slugify('\uFEFFbom title\u200E'), 'bom-title', 'BOM and LRM')
  t.equal(slugify('\u202Eevil\u202C'), 'evil', 'bidi override')
})

t.test('empty results give the fallback', async (t) => {
  t.equal(slugify(''), 'item')
  t.equal(slugify('🎉🎉🎉'), 'item')
  t.equal(slugify('---'), 'item')
  t.equal(slugify('\u200B\u200D'), 'item')
  t.equal(slugify('', 'post'), 'post')
})

t.test('all-digit slugs are prefixed, because a digit-only ref means an id', async (t) => {
  t.equal(slugify('2024'), 'item-2024')
  t.equal(slugify('2024', 'post'), 'post-2024')
  t.equal(slugify(' 42! '), 'item-42')
  t.equal(slugify('١٢٣'), 'item-123', 'Arabic-Indic digits')
  t.equal(slugify('123 456'), '123-456', 'digits joined by a hyphen are not all digits')
  t.ok(isValidSlug(slugify('123 456')))
  const long = slugify('7'.repeat(100), 'tag')
  t.match(long, /^tag-7+$/)
  t.ok(long.length <= 80, `${long.length} characters`)
  const cutToDigits = slugify(`${'1'.repeat(85)}a`)
  t.match(cutToDigits, /^item-1+$/, 'a hard cut that leaves only digits is prefixed too')
  t.ok(cutToDigits.length <= 80)
})

t.test('at most 80 characters, cut on a hyphen when possible, never ending in one', async (t) => {
  const words = slugify('word '.repeat(40))
  t.ok(words.length <= 80, `${words.length} characters`)
  t.match(words, /^(word-)+word$/, 'ends on a whole word')
  t.equal(slugify('x'.repeat(200)), 'x'.repeat(80), 'a single long word is cut hard')
  const mixed = slugify(`${'a'.repeat(60)} ${'b'.repeat(30)}`)
  t.equal(mixed, 'a'.repeat(60), 'the cut falls on the hyphen')
  const late = slugify(`${'a'.repeat(30)} ${'b'.repeat(60)}`)
  t.equal(late, `${'a'.repeat(30)}-${'b'.repeat(49)}`, 'a hyphen too early is not used')
  t.equal(slugify(`${'a'.repeat(79)} b`), 'a'.repeat(79), 'no trailing hyphen after a hard cut')
  const huge = slugify('Breaking news from the wire '.repeat(400))
  t.ok(huge.length <= 80 && isValidSlug(huge), '10,000-character input')
})

t.test('SLUG_PATTERN and isValidSlug', async (t) => {
  const re = new RegExp(SLUG_PATTERN)
  for (const s of ['a', 'a-b', 'post-2024', '2024-review', 'x1']) t.ok(re.test(s) && isValidSlug(s), `${s} is valid`)
  for (const s of ['', '123', 'A', 'a--b', '-a', 'a-', 'a_b', 'é', 'a b']) t.notOk(isValidSlug(s), `${JSON.stringify(s)} is not valid`)
  t.ok(isValidSlug('a'.repeat(120)))
  t.notOk(isValidSlug('a'.repeat(121)))
  const validate = new Ajv().compile({ type: 'string', pattern: SLUG_PATTERN })
  t.ok(validate('hello-world'), 'usable as a JSON-schema pattern')
  t.notOk(validate('12345'))
})

t.test('every slugify result is a valid slug of at most 80 characters', async (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
    const slug = slugify(s)
    return isValidSlug(slug) && slug.length <= 80
  }), { numRuns: 500 })
  fc.assert(fc.property(fc.array(fc.constantFrom('1', '23', ' ', '-', 'é', 'ab', '🎉', '\u200B'), { maxLength: 120 }), (parts) => {
    const slug = slugify(parts.join(''), 'post')
    return isValidSlug(slug) && slug.length <= 80
  }), { numRuns: 500 })
  t.pass('property held')
})

t.test('uniqueSlug returns the first free candidate', async (t) => {
  t.equal(uniqueSlug('news', () => false), 'news')
  const taken = new Set(['news', 'news-2', 'news-3'])
  const asked: string[] = []
  t.equal(uniqueSlug('news', (s) => { asked.push(s); return taken.has(s) }), 'news-4')
  t.same(asked, ['news', 'news-2', 'news-3', 'news-4'], 'asks in order and stops at the first free one')
  const base = slugify('z'.repeat(100))
  const next = uniqueSlug(base, (s) => s === base)
  t.equal(next, `${base}-2`)
  t.ok(isValidSlug(next), 'a suffixed 80-character slug is still valid')
})
