/** What one load run measured, whichever generator ran it. Latencies in milliseconds. */
export interface LoadResult {
  requests: number
  seconds: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
  /** Responses with a status of 400 or more (wrk: "Non-2xx or 3xx responses"). */
  non2xx: number
  socket: { connect: number, read: number, write: number, timeout: number }
  /** Counted from each response's X-Cache header, when the run asked for it. */
  cache?: { hit: number, miss: number, none: number }
}

export const WRK_JSON_MARKER = 'BENCH_WRK_JSON '

/** Every socket-level failure of a run. */
export function socketErrors (r: Pick<LoadResult, 'socket'>): number {
  return r.socket.connect + r.socket.read + r.socket.write + r.socket.timeout
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** "2.51ms", "850.00us", "1.02s", "1.00m" → milliseconds. */
export function parseWrkTime (text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim())
  if (m === null) throw new Error(`not a wrk time: ${JSON.stringify(text)}`)
  return Number(m[1]) * TIME_UNITS[m[2]]
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

/**
 * Reads what wrk printed. The bench's Lua script ends with one JSON line (after
 * WRK_JSON_MARKER) written by its done() callback, exact to the microsecond; without that
 * line (another script, or a wrk whose Lua failed in done()) it falls back to wrk's own text
 * report, which needs `--latency` for the percentiles.
 */
export function parseWrkOutput (stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(WRK_JSON_MARKER))
  if (line !== undefined) {
    const j = JSON.parse(line.slice(WRK_JSON_MARKER.length)) as {
      requests?: number,
      duration_us?: number,
      errors?: Record<string, number>,
      latency_us?: Record<string, number>,
      cache?: { hit?: number, miss?: number, none?: number }
    }
    const seconds = num(j.duration_us) / 1e6
    const requests = num(j.requests)
    const lat = j.latency_us ?? {}
    const e = j.errors ?? {}
    return {
      requests,
      seconds,
      rps: seconds > 0 ? requests / seconds : 0,
      p50: num(lat.p50) / 1000,
      p90: num(lat.p90) / 1000,
      p99: num(lat.p99) / 1000,
      max: num(lat.max) / 1000,
      non2xx: num(e.status),
      socket: { connect: num(e.connect), read: num(e.read), write: num(e.write), timeout: num(e.timeout) },
      ...(j.cache ? { cache: { hit: num(j.cache.hit), miss: num(j.cache.miss), none: num(j.cache.none) } } : {})
    }
  }
  return parseWrkText(stdout)
}

/** wrk's human-readable report (run with --latency). */
export function parseWrkText (stdout: string): LoadResult {
  const total = /(\d+) requests in ([\d.]+(?:us|ms|s|m|h))/.exec(stdout)
  if (total === null) throw new Error(`wrk printed no summary:\n${stdout.slice(0, 2000)}`)
  const requests = Number(total[1])
  const seconds = parseWrkTime(total[2]) / 1000
  const rpsLine = /Requests\/sec:\s*([\d.]+)/.exec(stdout)
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+(?:us|ms|s|m|h))\\s*$`, 'm').exec(stdout)
    return m === null ? Number.NaN : parseWrkTime(m[1])
  }
  const latencyLine = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(stdout)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)
  let max = Number.NaN
  if (latencyLine !== null) {
    try { max = parseWrkTime(latencyLine[3]) } catch { max = Number.NaN }
  }
  return {
    requests,
    seconds,
    rps: rpsLine !== null ? Number(rpsLine[1]) : (seconds > 0 ? requests / seconds : 0),
    p50: pct('50'),
    p90: pct('90'),
    p99: pct('99'),
    max,
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socket: socket === null
      ? { connect: 0, read: 0, write: 0, timeout: 0 }
      : { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) }
  }
}

/**
 * The Lua script wrk runs: each request is the next path of a list (one a line, in the file
 * named by the first argument after `--`), formatted once in init(), so a request costs wrk
 * no Lua string work; threads start at different places of the list. With `countCache` it
 * also reads each response's X-Cache header (wrk then hands every response to Lua, which
 * costs it some throughput: only the scenario asks for it, for its limit slices as well).
 * done() prints the figures as one JSON line for parseWrkOutput.
 */
export function wrkScript (countCache: boolean): string {
  return `-- Written by npm run bench (src/scripts/bench/wrk-output.ts).
local reqs = {}
local n = 0
local i = 0
local threads = {}
hits = 0
misses = 0
uncounted = 0

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    if #line > 0 then
      n = n + 1
      reqs[n] = wrk.format("GET", line)
    end
  end
  f:close()
  assert(n > 0, "no paths in " .. args[1])
  local count = tonumber(args[2]) or 1
  i = math.floor(n * (thread_index or 0) / count) % n
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end
${countCache
    ? `
function response(status, headers, body)
  local c = headers["x-cache"] or headers["X-Cache"]
  if c == nil then
    uncounted = uncounted + 1
  else
    c = string.upper(c)
    if c == "HIT" then hits = hits + 1 elseif c == "MISS" then misses = misses + 1 else uncounted = uncounted + 1 end
  end
end
`
    : ''}
function done(summary, latency, requests)
  local h, m, u = 0, 0, 0
  for _, t in ipairs(threads) do
    h = h + (t:get("hits") or 0)
    m = m + (t:get("misses") or 0)
    u = u + (t:get("uncounted") or 0)
  end
  local p50, p90, p99, max = 0, 0, 0, 0
  if summary.requests > 0 then
    p50 = latency:percentile(50)
    p90 = latency:percentile(90)
    p99 = latency:percentile(99)
    max = latency.max
  end
  local e = summary.errors
  io.write(string.format("\\n${WRK_JSON_MARKER}{\\"requests\\":%.0f,\\"duration_us\\":%.0f,\\"bytes\\":%.0f,\\"errors\\":{\\"connect\\":%.0f,\\"read\\":%.0f,\\"write\\":%.0f,\\"status\\":%.0f,\\"timeout\\":%.0f},\\"latency_us\\":{\\"p50\\":%.0f,\\"p90\\":%.0f,\\"p99\\":%.0f,\\"max\\":%.0f}${countCache ? ',\\"cache\\":{\\"hit\\":%.0f,\\"miss\\":%.0f,\\"none\\":%.0f}' : ''}}\\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    p50, p90, p99, max${countCache ? ', h, m, u' : ''}))
end
`
}
