import t from 'tap'
import { renderShortcodes, wpautop } from '../../src/lib/wpautop.js'
import { fastest } from '../helpers/cost.js'

// Exports are untrusted: the WordPress formatting ports must cost time linear in the body.
// Each input below made the regex port backtrack quadratically (80,000 spaces took 10 s, a
// 60 KB upload stalled /health 7.5 s). Checked two ways: 40,000 characters finish well under
// a generous cap (the quadratic versions took 0.1–11 s there), and ten times the input costs
// at most about ten times the time (20× allowed for noise).
const CASES: Array<[string, (n: number) => string, (s: string) => string]> = [
  ['spaces before a line break', (n) => `x${' '.repeat(n)}y\nz`, wpautop],
  ['spaces before <option>', (n) => `<option>${' '.repeat(n)}x</option>`, wpautop],
  ['spaces before <source>', (n) => `<video><source>${' '.repeat(n)}x`, wpautop],
  ['spaces before </object>', (n) => `<object>${' '.repeat(n)}x</object>`, wpautop],
  ['spaces before <figcaption>', (n) => `<figcaption>${' '.repeat(n)}x`, wpautop],
  ['<object without >', (n) => `</object>${'<object'.repeat(n / 7)}`, wpautop],
  ['<param without >', (n) => `</object>${'<param'.repeat(n / 6)}`, wpautop],
  ['[video without ]', (n) => `<source>${'[video'.repeat(n / 6)}`, wpautop],
  ['block tags without >', (n) => `${'<div'.repeat(n / 4)}>x`, wpautop],
  ['block tags before a far </p>', (n) => `${'<div '.repeat(n / 5)}></p>`, wpautop],
  ['<p><li without </p>', (n) => `<ul><li>${'a<p><li'.repeat(n / 7)}`, wpautop],
  ['<script without its end', (n) => '<script'.repeat(n / 7), wpautop],
  ['block comments without -->', (n) => `<!-- wp:p -->${'<!-- wp:a '.repeat(n / 10)}`, wpautop],
  ['[video and spaces without ]', (n) => `[video${' '.repeat(n)}`, renderShortcodes],
  ['[caption without its end', (n) => `${'[caption]'.repeat(n / 9)}]`, renderShortcodes],
  ['[[escapes without an end', (n) => `${'[[a'.repeat(n / 3)}]`, renderShortcodes],
  ['<pre without its end', (n) => '<pre'.repeat(n / 4), renderShortcodes],
  ['a long attribute word', (n) => `[video ${'a'.repeat(n)}]`, renderShortcodes],
  ['[embed without its end', (n) => `${'[embed]x'.repeat(n / 8)}`, renderShortcodes],
  ['unclosed tags with spaces', (n) => `${'[a '.repeat(n / 3)}`, renderShortcodes],
  ['<a without > in a caption', (n) => `[caption]${'<a'.repeat(n / 2)}[/caption]`, renderShortcodes],
  ['spaces and <br /> after a caption', (n) => `[caption]x${' '.repeat(n)}y[/caption]`, renderShortcodes]
]

t.test('every crafted input is formatted in time linear in its length', async (t) => {
  let small = 0
  let large = 0
  for (const [name, make, format] of CASES) {
    const input = make(40_000)
    const ms = fastest(() => format(input))
    t.ok(ms < 1000, `${name}: 40,000 characters in ${ms.toFixed(1)} ms`)
    small += ms
    const big = make(400_000)
    large += fastest(() => format(big))
  }
  t.ok(large < Math.max(20 * small, 200), `all cases: 10× the input took ${(large / small).toFixed(1)}× the time (${small.toFixed(0)} → ${large.toFixed(0)} ms)`)
})
