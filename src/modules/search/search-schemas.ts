import { Type } from 'typebox'

export const SearchMetaSchema = Type.Object({
  bounded: Type.Boolean({ description: 'Something was left out: an order other than date ranked only the 1,000 newest matches, the count stopped at 1,000, or the time budget ran out' }),
  scored: Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.Null()], { description: 'How many matches were ranked (relevance, title, -updated_at, and every order over drafts, scheduled or archived posts): the newest ones, at most 1,000. Null in date order, which reads every match in order' }),
  total_exact: Type.Boolean({ description: 'Whether `total` (and X-Total-Count) is the exact number of matches; otherwise it counts the results pages reach (at most 1,000)' }),
  timed_out: Type.Boolean({ description: 'The query budget (QUERY_BUDGET_MS) ran out: the page holds what was found by then, possibly without snippets' })
}, {
  $id: 'SearchMeta',
  title: 'SearchMeta',
  description: 'With `q`: how the answer was bounded. A search reads at most what its page needs: newest (or oldest) first, matches come in index order; other orders rank the 1,000 newest matches.',
  examples: [{ bounded: true, scored: 1000, total_exact: false, timed_out: false }]
})

/** The search module's $id'd schemas. */
export const searchSchemas = [SearchMetaSchema]
