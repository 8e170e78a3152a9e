import t from 'tap'
import fc from 'fast-check'
import { buildTermVector, normalizeText, scoreRelated, tokenize, type CorpusStats, type RelatedDoc, type RelatedResult, type TermVector } from '../../src/lib/related.js'
import { buildRelatedCorpus } from '../fixtures/related-corpus.js'

const DAY = 86_400_000
const T0 = Date.UTC(2025, 0, 1)

// Corpus-wide numbers the way the database will hold them: df counted over stored vectors.
function statsFor (docs: RelatedDoc[]): CorpusStats {
  const df = new Map<string, number>()
  const tags = new Map<number, number>()
  const cats = new Map<number, number>()
  for (const d of docs) {
    for (const term of d.vector.terms) df.set(term, (df.get(term) ?? 0) + 1)
    for (const id of d.tagIds) tags.set(id, (tags.get(id) ?? 0) + 1)
    for (const id of d.categoryIds) cats.set(id, (cats.get(id) ?? 0) + 1)
  }
  return { docCount: docs.length, termDf: (x) => df.get(x) ?? 0, tagCount: (x) => tags.get(x) ?? 0, categoryCount: (x) => cats.get(x) ?? 0 }
}

function fixedStats (over: Partial<CorpusStats> = {}): CorpusStats {
  return { docCount: 10_000, termDf: () => 100, tagCount: () => 100, categoryCount: () => 100, ...over }
}

function doc (id: number, over: Partial<RelatedDoc> = {}): RelatedDoc {
  return { id, tagIds: [], categoryIds: [], publishedAt: T0, vector: { terms: [], weights: [] }, ...over }
}

function vec (...terms: string[]): TermVector {
  return { terms, weights: terms.map(() => 1 / Math.sqrt(terms.length)) }
}

function shuffled<T> (xs: T[], seed: number): T[] {
  const out = [...xs]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

const corpus = buildRelatedCorpus()
const corpusDocs: RelatedDoc[] = corpus.map((p) => ({ id: p.id, tagIds: p.tagIds, categoryIds: p.categoryIds, publishedAt: p.publishedAt, vector: buildTermVector(p.title, p.body) }))
const corpusStats = statsFor(corpusDocs)
const topicOf = new Map(corpus.map((p) => [p.id, p.topic]))

t.test('normalizeText folds case, accents and punctuation', async (t) => {
  t.equal(normalizeText('Crème Brûlée'), 'creme brulee')
  t.equal(normalizeText('ÉCOLE Straße'), 'ecole strasse')
  t.equal(normalizeText('Ærø, Œuvre, Łódź, Þór'), 'aero oeuvre lodz thor')
  t.equal(normalizeText('ﬁnal ﬂight'), 'final flight', 'compatibility ligatures decompose')
  t.equal(normalizeText('  Hello—world!!! (really?) a/b_c  '), 'hello world really a b c')
  t.equal(normalizeText("the nation's voters don't know"), 'the nation voters dont know', 'possessive dropped, contraction kept whole')
  t.equal(normalizeText('it’s 3.5% of £20'), 'it 3 5 of 20')
  t.equal(normalizeText(''), '')
})

t.test('tokenize drops stopwords, short tokens and numbers', async (t) => {
  // The stopword package's English list (108 words) keeps negations and contractions.
  t.same(tokenize('The cat and the dog would have been there, but they were not.'), ['cat', 'dog', 'not'])
  t.same(tokenize("I don't think it's over; we're done."), ['dont', 'think', 'done'])
  t.same(tokenize('In 2024, 3,500 AI labs met at G7: covid19 talks'), ['lab', 'met', 'covid19', 'talk'], 'pure numbers and 2-letter tokens go, mixed ones stay')
  t.same(tokenize('Café CAFÉ cafe'), tokenize('cafe cafe cafe'), 'accents and case do not split terms')
})

t.test('tokenize stems inflections together and keeps unrelated words apart', async (t) => {
  const same = [
    ['election', 'elections'],
    ['vote', 'votes', 'voted', 'voting'],
    ['study', 'studies', 'studied', 'studying'],
    ['policy', 'policies'],
    ['match', 'matches'],
    ['tax', 'taxes'],
    ['class', 'classes'],
    ['plan', 'plans', 'planned', 'planning'],
    ['run', 'runs', 'running'],
    ['agree', 'agreed', 'agreeing'],
    ['quick', 'quickly'],
    ['increase', 'increases', 'increased', 'increasing'],
    ['score', 'scores', 'scored', 'scoring']
  ]
  for (const group of same) {
    const stems = group.map((w) => tokenize(w))
    for (const s of stems) t.same(s, stems[0], `${group.join('/')} share a stem`)
    t.equal(stems[0].length, 1)
  }
  t.same(tokenize('policies matches running voters'), ['polici', 'match', 'run', 'voter'], 'Porter2 stems, not dictionary words')
  const apart = [['news', 'new'], ['family', 'fame'], ['supply', 'sup'], ['speed', 'sped'], ['analysis', 'analys'], ['virus', 'viru'], ['glass', 'glas'], ['thing', 'th']]
  for (const [a, b] of apart) t.not(tokenize(a)[0], tokenize(b)[0] ?? '', `${a} is not cut down to ${b}`)
  t.same(tokenize('news series species'), ['news', 'seri', 'speci'])
  t.same(tokenize('things strings'), ['thing', 'string'], 'ing is kept when too little, or no vowel, would remain')
})

t.test('buildTermVector: title weighs triple, unit length, canonical order, capped', async (t) => {
  const v = buildTermVector('Budget vote', 'The council debated the budget. Councillors praised the harbour plan and the harbour budget.')
  t.equal(v.terms.length, v.weights.length)
  t.equal(v.terms[0], 'budget', 'title term (3 + 2 mentions) leads')
  const w = (word: string) => v.weights[v.terms.indexOf(tokenize(word)[0])]
  const ratio = (a: string, b: string, want: number) => t.ok(Math.abs(w(a) / w(b) - want) < 1e-12, `${a}:${b} = ${want}`)
  ratio('budget', 'harbour', 5 / 2)
  ratio('vote', 'harbour', 3 / 2)
  ratio('plan', 'harbour', 1 / 2)
  t.ok(Math.abs(v.weights.reduce((s, x) => s + x * x, 0) - 1) < 1e-12, 'L2-normalised')
  for (let i = 1; i < v.terms.length; i++) {
    t.ok(v.weights[i - 1] > v.weights[i] || (v.weights[i - 1] === v.weights[i] && v.terms[i - 1] < v.terms[i]), `ordered at ${i}`)
  }

  const words = Array.from({ length: 60 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`)
  const long = buildTermVector('Harbour', words.join(' '))
  t.equal(long.terms.length, 32, 'default cap')
  t.ok(long.terms.includes('harbour'), 'the title term survives the cap')
  t.ok(long.terms.includes(tokenize(words[0])[0]) && !long.terms.includes(tokenize(words[59])[0]), 'among equal counts the earliest terms are kept')
  t.equal(buildTermVector('Harbour', words.join(' '), 5).terms.length, 5)
  t.ok(Math.abs(long.weights.reduce((s, x) => s + x * x, 0) - 1) < 1e-12, 'normalised after capping')
  t.same(buildTermVector('', ''), { terms: [], weights: [] })
  t.same(buildTermVector('The and of', 'it is 2024'), { terms: [], weights: [] })
  t.same(buildTermVector('Budget vote', 'Harbour plan'), buildTermVector('Budget vote', 'Harbour plan'), 'pure function of the post')
})

t.test('related posts share the topic in at least 90% of top-3 slots, with and without taxonomy', async (t) => {
  let hits = 0
  let slots = 0
  let bareHits = 0
  let bareSlots = 0
  let bareTargets = 0
  for (const d of corpusDocs) {
    const top = scoreRelated(d, corpusDocs, corpusStats, 3)
    const same = top.filter((r) => topicOf.get(r.id) === topicOf.get(d.id)).length
    // Missing results count as misses: every post here has same-topic neighbours to find.
    hits += same
    slots += 3
    if (d.tagIds.length === 0 && d.categoryIds.length === 0) {
      bareHits += same
      bareSlots += 3
      bareTargets++
    }
  }
  t.equal(corpusDocs.length, 200)
  t.ok(bareTargets >= 90 && bareTargets <= 110, `about half the posts have no taxonomy (${bareTargets})`)
  const overall = hits / slots
  const bare = bareHits / bareSlots
  t.comment(`top-3 same-topic rate: overall ${(overall * 100).toFixed(1)}%, no-taxonomy posts ${(bare * 100).toFixed(1)}%`)
  t.ok(overall >= 0.9, `overall ${overall}`)
  t.ok(bare >= 0.9, `no taxonomy ${bare}`)
})

t.test('every corpus result: score in (0, 1], ordered, never the post itself, limit honoured', async (t) => {
  let checked = 0
  for (const d of corpusDocs) {
    const top = scoreRelated(d, corpusDocs, corpusStats, 20)
    t.ok(top.length <= 20)
    const ids = new Set<number>()
    for (let i = 0; i < top.length; i++) {
      const r = top[i]
      if (!(r.score > 0 && r.score <= 1)) t.fail(`score ${r.score} out of range`)
      if (r.id === d.id) t.fail('target returned')
      if (ids.has(r.id)) t.fail('duplicate id')
      ids.add(r.id)
      if (r.score !== Math.round(r.score * 1e6) / 1e6) t.fail('score not rounded to 6 decimals')
      if (i > 0 && top[i - 1].score < r.score) t.fail('not sorted')
      if (r.reasons.text_similarity < 0 || r.reasons.text_similarity > 1) t.fail('text similarity out of range')
      checked++
    }
  }
  t.ok(checked > 3000, `checked ${checked} results`)
})

t.test('the target is excluded even when passed among the candidates', async (t) => {
  const target = doc(1, { vector: vec('harbour', 'ferry'), tagIds: [5] })
  const twin = doc(2, { vector: vec('harbour', 'ferry'), tagIds: [5] })
  const res = scoreRelated(target, [target, twin, { ...target }], fixedStats(), 5)
  t.same(res.map((r) => r.id), [2])
  t.equal(res[0].score, 1, 'an identical twin published the same moment scores exactly 1')
})

t.test('a rare shared tag outweighs a common one', async (t) => {
  const counts = new Map([[1, 3], [2, 3000]])
  const stats = fixedStats({ tagCount: (id) => counts.get(id) ?? 0, categoryCount: (id) => counts.get(id) ?? 0 })
  const target = doc(1, { tagIds: [2, 1] })
  const rare = doc(2, { tagIds: [1] })
  const common = doc(3, { tagIds: [2] })
  const res = scoreRelated(target, [common, rare], stats, 5)
  t.same(res.map((r) => r.id), [2, 3])
  t.ok(res[0].score > 2 * res[1].score, `rare ${res[0].score} vs common ${res[1].score}`)
  t.same(res[0].reasons, { shared_tags: [1], shared_categories: [], text_similarity: 0 })

  const both = scoreRelated(target, [doc(4, { tagIds: [2, 1] })], stats, 1)
  t.same(both[0].reasons.shared_tags, [1, 2], 'reasons list the rarest tag first')
  t.ok(both[0].score > res[0].score, 'more shared tags score higher')
  t.ok(both[0].score < 1, 'the taxonomy part saturates below 1')

  // Same rarity: a shared tag says a bit more than a shared category.
  const byTag = scoreRelated(doc(1, { tagIds: [1] }), [doc(5, { tagIds: [1] })], stats, 1)[0]
  const byCat = scoreRelated(doc(1, { categoryIds: [1] }), [doc(5, { categoryIds: [1] })], stats, 1)[0]
  t.ok(byTag.score > byCat.score, `tag ${byTag.score} > category ${byCat.score}`)
  t.same(byCat.reasons.shared_categories, [1])

  const res2 = scoreRelated(target, [rare, common].map((d) => ({ ...d, vector: vec('harbour') })), stats, 5)
  t.same(res2.map((r) => r.id), [2, 3], 'holds with equal text too')
})

t.test('idf is applied at query time: the same stored vectors rank by current rarity', async (t) => {
  const target = doc(1, { vector: vec('harbour', 'ferry') })
  const a = doc(2, { vector: vec('harbour', 'bakery') })
  const b = doc(3, { vector: vec('ferry', 'bakery') })
  const df = (rare: string) => fixedStats({ termDf: (x) => (x === rare ? 2 : 5000) })
  t.same(scoreRelated(target, [a, b], df('harbour'), 2).map((r) => r.id), [2, 3])
  t.same(scoreRelated(target, [a, b], df('ferry'), 2).map((r) => r.id), [3, 2])
  const r = scoreRelated(target, [a], df('ferry'), 1)[0]
  t.ok(r.reasons.text_similarity > 0 && r.reasons.text_similarity < 1)
  t.equal(r.score, r.reasons.text_similarity, 'with no taxonomy and the same date, the score is the text similarity')
})

t.test('recency is a mild preference', async (t) => {
  const target = doc(1, { vector: vec('harbour', 'ferry'), publishedAt: T0 })
  const near = doc(2, { vector: vec('harbour', 'ferry'), publishedAt: T0 - 10 * DAY })
  const far = doc(3, { vector: vec('harbour', 'ferry'), publishedAt: T0 - 3650 * DAY })
  const later = doc(4, { vector: vec('harbour', 'ferry'), publishedAt: T0 + 180 * DAY })
  const res = scoreRelated(target, [far, later, near], fixedStats(), 3)
  t.same(res.map((r) => r.id), [2, 4, 3])
  const score = new Map(res.map((r) => [r.id, r.score]))
  t.ok(Math.abs((score.get(4) as number) - 0.925) < 1e-6, 'one half-life away: halfway between 1 and 0.85')
  t.ok((score.get(3) as number) >= 0.85, 'ten years apart still keeps 85%')
  // A clearly better match is not overturned by age.
  const better = doc(5, { vector: vec('harbour', 'ferry'), tagIds: [9], publishedAt: T0 - 3650 * DAY })
  const res2 = scoreRelated({ ...target, tagIds: [9] }, [near, better].map((d) => ({ ...d, vector: d.id === 2 ? vec('harbour', 'bakery') : d.vector })), fixedStats(), 2)
  t.same(res2.map((r) => r.id), [5, 2])
})

t.test('ties: newer first, then lower id', async (t) => {
  const target = doc(1, { vector: vec('harbour'), publishedAt: T0 })
  const older = doc(7, { vector: vec('harbour'), publishedAt: T0 - DAY })
  const newer = doc(9, { vector: vec('harbour'), publishedAt: T0 + DAY })
  const newerLowId = doc(8, { vector: vec('harbour'), publishedAt: T0 + DAY })
  const res = scoreRelated(target, [older, newer, newerLowId], fixedStats(), 3)
  t.equal(res[0].score, res[2].score, 'all three tie on score')
  t.same(res.map((r) => r.id), [8, 9, 7])
})

t.test('deterministic under shuffled candidates, and prunes nothing it should keep', async (t) => {
  for (const d of corpusDocs.filter((_, i) => i % 20 === 0)) {
    const reference = scoreRelated(d, corpusDocs, corpusStats, 10)
    for (const seed of [1, 2, 3, 42, 1234]) {
      t.same(scoreRelated(d, shuffled(corpusDocs, seed), corpusStats, 10), reference, `post ${d.id}, seed ${seed}`)
    }
    // With room for every candidate nothing can be pruned: its head must be the limited answer.
    t.same(scoreRelated(d, corpusDocs, corpusStats, 10_000).slice(0, 10), reference, `post ${d.id} full ranking`)
    function * gen () { yield * corpusDocs }
    t.same(scoreRelated(d, gen(), corpusStats, 10), reference, 'any iterable works')
  }
})

t.test('random inputs keep every invariant, in any order', async (t) => {
  const words = ['harbour', 'ferry', 'bakery', 'budget', 'striker', 'glacier', 'rocket', 'vaccine', 'pasta', 'stocks']
  const docArb = fc.record({
    id: fc.integer({ min: 1, max: 40 }),
    tagIds: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }),
    categoryIds: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
    publishedAt: fc.integer({ min: 0, max: 2000 }).map((d) => T0 - d * DAY),
    text: fc.array(fc.constantFrom(...words), { maxLength: 12 })
  }).map((r): RelatedDoc => ({ id: r.id, tagIds: r.tagIds, categoryIds: r.categoryIds, publishedAt: r.publishedAt, vector: buildTermVector('', r.text.join(' ')) }))
  fc.assert(fc.property(docArb, fc.array(docArb, { maxLength: 30 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (target, cands, limit, seed) => {
    const stats = statsFor([target, ...cands])
    const res = scoreRelated(target, cands, stats, limit)
    const again = scoreRelated(target, shuffled(cands, Math.abs(seed) + 1), stats, limit)
    const full = scoreRelated(target, cands, stats, 1000)
    const ok = (r: RelatedResult) => r.score > 0 && r.score <= 1 && r.id !== target.id
    return res.length <= limit &&
      res.every(ok) &&
      new Set(res.map((r) => r.id)).size === res.length &&
      JSON.stringify(res) === JSON.stringify(again) &&
      JSON.stringify(res) === JSON.stringify(full.slice(0, limit))
  }), { numRuns: 300, seed: 7 })
  t.pass('300 random cases hold')
})

t.test('a candidate listed twice is returned once, with its better entry', async (t) => {
  const target = doc(1, { vector: vec('harbour', 'ferry') })
  const weak = doc(2, { vector: vec('harbour', 'bakery') })
  const strong = doc(2, { vector: vec('harbour', 'ferry') })
  const other = doc(3, { vector: vec('ferry', 'bakery') })
  const a = scoreRelated(target, [weak, other, strong], fixedStats(), 5)
  const b = scoreRelated(target, [strong, other, weak], fixedStats(), 5)
  t.same(a, b)
  t.same(a.map((r) => r.id), [2, 3])
  t.equal(a[0].reasons.text_similarity, 1)
})

t.test('nothing in common means nothing returned', async (t) => {
  const loner = doc(999, { vector: buildTermVector('Zyxwv quorblat', 'Flimflam snorkelwick glimmerous vorpal.') })
  t.same(scoreRelated(loner, corpusDocs, corpusStats, 5), [])
  t.same(scoreRelated(doc(998), corpusDocs, corpusStats, 5), [], 'empty text, no taxonomy')
  t.same(scoreRelated(corpusDocs[0], [], corpusStats, 5), [])
  t.same(scoreRelated(corpusDocs[0], corpusDocs, corpusStats, 0), [], 'limit 0')
  t.equal(scoreRelated(corpusDocs[0], corpusDocs, corpusStats, 2.9).length, 2, 'fractional limit rounds down')
})

t.test('a post with taxonomy but no text still finds posts sharing its tags', async (t) => {
  const withTag = corpusDocs.find((d) => d.tagIds.length > 0) as RelatedDoc
  const bare = { ...withTag, id: 5000, vector: { terms: [], weights: [] } }
  const res = scoreRelated(bare, corpusDocs, corpusStats, 5)
  t.equal(res.length, 5)
  for (const r of res) {
    t.ok(r.reasons.shared_tags.length + r.reasons.shared_categories.length > 0)
    t.equal(r.reasons.text_similarity, 0)
  }
})
