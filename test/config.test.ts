import t from 'tap'
import { loadConfig, ConfigError, trustProxyOption } from '../src/config.js'

t.test('defaults match the design', async (t) => {
  const c = loadConfig({})
  t.equal(c.PORT, 3000)
  t.equal(c.HOST, '127.0.0.1')
  t.equal(c.DATABASE_PATH, './data/broadsheet.db')
  t.equal(c.LOG_LEVEL, 'info')
  t.equal(c.CORS_ORIGINS, '*')
  t.equal(c.COMMENT_RATE_LIMIT, 5)
  t.equal(c.ALLOW_PRIVATE_TARGETS, false)
  t.equal(c.ADMIN_TOKEN, undefined)
  t.equal(c.RESPONSE_CACHE, true)
})

t.test('values are converted and trimmed', async (t) => {
  const c = loadConfig({ PORT: ' 8080 ', ALLOW_PRIVATE_TARGETS: 'yes', SITE_URL: 'https://news.example.com/', COMMENT_RATE_LIMIT: '12', PORT_EXTRA: 'x', LOG_LEVEL: '' })
  t.equal(c.PORT, 8080)
  t.equal(c.ALLOW_PRIVATE_TARGETS, true)
  t.equal(c.SITE_URL, 'https://news.example.com', 'trailing slash removed')
  t.equal(c.COMMENT_RATE_LIMIT, 12)
  t.equal(c.LOG_LEVEL, 'info', 'an empty value counts as unset')
})

t.test('a bad value stops the start with a message naming the variable and what it accepts', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT="eighty" is invalid: expected TCP port to listen on: an integer 0–65535/],
    [{ PORT: '70000' }, /PORT="70000"/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud" is invalid: expected one of fatal, error/],
    [{ SITE_URL: 'example.com' }, /SITE_URL="example.com" is invalid: expected .*absolute http\(s\) URL/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN="short" is invalid: expected .*at least 32 characters/],
    [{ COMMENT_RATE_LIMIT: '0' }, /COMMENT_RATE_LIMIT="0"/],
    [{ ALLOW_PRIVATE_TARGETS: 'maybe' }, /ALLOW_PRIVATE_TARGETS="maybe" is invalid: expected true or false/],
    [{ CORS_ORIGINS: 'not an origin' }, /CORS_ORIGINS="not an origin"/],
    [{ TRUST_PROXY: 'sometimes' }, /TRUST_PROXY="sometimes"/]
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), message, JSON.stringify(env))
  }
  try {
    loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })
    t.fail('should throw')
  } catch (err) {
    t.ok(err instanceof ConfigError)
    t.equal((err as ConfigError).problems.length, 2, 'every bad variable is reported at once')
  }
})

t.test('TRUST_PROXY forms', async (t) => {
  t.equal(trustProxyOption('true'), true)
  t.equal(trustProxyOption('false'), false)
  t.equal(trustProxyOption('2'), 2)
  t.same(trustProxyOption('10.0.0.1, 10.0.0.0/8'), ['10.0.0.1', '10.0.0.0/8'])
  t.same(loadConfig({ CORS_ORIGINS: 'https://a.example, http://b.example:3000' }).CORS_ORIGINS, 'https://a.example, http://b.example:3000')
})
