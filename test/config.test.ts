import t from 'tap'
import { loadConfig, ConfigError, startupWarnings, trustProxyOption } from '../src/config.js'

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
  t.equal(c.RESPONSE_CACHE_ENTRIES, 10_000)
  t.equal(c.RESPONSE_CACHE_MB, 8)
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
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN=\(hidden, 5 characters\) is invalid: expected .*at least 32 characters/],
    [{ COMMENT_RATE_LIMIT: '0' }, /COMMENT_RATE_LIMIT="0"/],
    [{ ALLOW_PRIVATE_TARGETS: 'maybe' }, /ALLOW_PRIVATE_TARGETS="maybe" is invalid: expected true or false/],
    [{ CORS_ORIGINS: 'not an origin' }, /CORS_ORIGINS="not an origin"/],
    [{ TRUST_PROXY: 'sometimes' }, /TRUST_PROXY="sometimes"/],
    [{ RESPONSE_CACHE_ENTRIES: '0' }, /RESPONSE_CACHE_ENTRIES="0" is invalid: expected most responses the response cache may hold/]
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

t.test('a config error never prints a secret: tokens are hidden, URL credentials masked', async (t) => {
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env)
    } catch (err) {
      return (err as Error).message
    }
    return t.fail('should throw')
  }
  const token = message({ ADMIN_TOKEN: 'hunter2-but-too-short' })
  t.match(token, /ADMIN_TOKEN=\(hidden, 21 characters\) is invalid/)
  t.notMatch(token, 'hunter2', 'the token itself is never printed')
  const purge = message({ PURGE_URL: 'varnish://purger:s3cret-pass@cache.internal:6081/' })
  t.match(purge, 'PURGE_URL="varnish://***@cache.internal:6081/" is invalid', 'the rest of the URL is shown, to find the mistake')
  t.notMatch(purge, 's3cret-pass')
  t.notMatch(purge, 'purger', 'the user name is masked too (a token may be sent as one)')
  const site = message({ SITE_URL: 'https://user:pw@news.example.com/?x=1' })
  t.notMatch(site, ':pw@')
  t.match(site, 'https://***@news.example.com/?x=1')
  t.match(message({ PORT: 'eighty' }), 'PORT="eighty"', 'other values are shown as typed')
})

t.test('TRUST_PROXY forms', async (t) => {
  t.equal(trustProxyOption('true'), true)
  t.equal(trustProxyOption('false'), false)
  t.equal(trustProxyOption('2'), 2)
  t.same(trustProxyOption('10.0.0.1, 10.0.0.0/8'), ['10.0.0.1', '10.0.0.0/8'])
  t.same(loadConfig({ CORS_ORIGINS: 'https://a.example, http://b.example:3000' }).CORS_ORIGINS, 'https://a.example, http://b.example:3000')
})

t.test('public base URLs: configured, or one derived at start for both', async (t) => {
  const both = (env: Record<string, string>) => { const c = loadConfig(env); return [c.SITE_URL, c.PUBLIC_API_URL] }
  t.same(both({}), ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'], 'neither set: where the server listens')
  t.same(both({ PORT: '3400' }), ['http://127.0.0.1:3400', 'http://127.0.0.1:3400'], 'PORT is part of it')
  t.same(both({ HOST: '0.0.0.0', PORT: '8080' }), ['http://localhost:8080', 'http://localhost:8080'], 'a wildcard interface reads as localhost')
  t.same(both({ HOST: '::' }), ['http://localhost:3000', 'http://localhost:3000'])
  t.same(both({ HOST: '::1' }), ['http://[::1]:3000', 'http://[::1]:3000'], 'an IPv6 address is bracketed')
  t.same(both({ SITE_URL: 'https://news.example.com/' }), ['https://news.example.com', 'https://news.example.com'], 'the API defaults to the site (one domain)')
  t.same(both({ PUBLIC_API_URL: 'https://api.example.com' }), ['https://api.example.com', 'https://api.example.com'])
  t.same(both({ SITE_URL: 'https://news.example.com', PUBLIC_API_URL: 'https://api.example.com/' }), ['https://news.example.com', 'https://api.example.com'])
  t.throws(() => loadConfig({ PUBLIC_API_URL: 'api.example.com' }), /PUBLIC_API_URL="api.example.com" is invalid: expected .*absolute http\(s\) URL/)
  t.throws(() => loadConfig({ PUBLIC_API_URL: 'https://api.example.com/?x=1' }), /PUBLIC_API_URL/)
})

t.test('a production start without SITE_URL is warned about', async (t) => {
  const warn = (env: Record<string, string>) => startupWarnings(env, loadConfig(env))
  t.same(warn({ PORT: '3400' }), [], 'not outside production')
  t.same(warn({ NODE_ENV: 'production', SITE_URL: 'https://news.example.com' }), [])
  const [w] = warn({ NODE_ENV: 'production', PORT: '3400' })
  t.match(w, /SITE_URL is not set: post urls, feed links and comment redirects use http:\/\/127\.0\.0\.1:3400/)
  t.match(warn({ NODE_ENV: 'production', SITE_URL: ' ' })[0], /SITE_URL is not set/, 'an empty value is unset')
  t.match(warn({ NODE_ENV: 'production', PUBLIC_API_URL: 'https://api.example.com' })[0], /use https:\/\/api\.example\.com \(from PUBLIC_API_URL\)/)
})
