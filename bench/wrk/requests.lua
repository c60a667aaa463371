-- Requests for `python -m bench run` (bench/runner.py writes the data file, one run at a time).
--
--   wrk -t 2 -c 8 -d 10s --latency -s bench/wrk/requests.lua http://127.0.0.1:PORT -- DATAFILE [THREADS]
--
-- The data file holds tab-separated lines:
--   G <group> <weight> <rand|seq>             a group of requests and its share of the traffic
--   R <group> <method> <path> <cookie> <body> one request of that group (cookie and body may be empty)
-- "rand" groups are picked from with a fixed seed per thread (the same paths every run);
-- "seq" groups (support POSTs: each person supports a proposal once) are walked in order,
-- thread t taking items t, t+T, t+2T… so that no two threads send the same request.
-- (No request limit: wrk.thread:stop() leaves the thread's connections open until wrk's -d ends,
-- and a sync gunicorn worker blocked on one of them is killed after its timeout.)
-- done() prints one line "BENCH_JSON {...}": latency percentiles, errors, and the sum of the
-- X-Ponte-Queries response headers (PONTE_DIAGNOSTICS=1) over the responses that carried one.

local threads = {}
local created = 0

function setup(thread)
  created = created + 1
  thread:set("tid", created)
  table.insert(threads, thread)
end

local function split(line)
  local fields, start = {}, 1
  while true do
    local i = string.find(line, "\t", start, true)
    if not i then
      table.insert(fields, string.sub(line, start))
      return fields
    end
    table.insert(fields, string.sub(line, start, i - 1))
    start = i + 1
  end
end

local groups, order, total_weight

responses, queries, with_queries, s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0, 0, 0

function init(args)
  local nthreads = tonumber(args[2] or "1") or 1
  math.randomseed(4242 + tid)
  groups, order, total_weight = {}, {}, 0
  for line in io.lines(args[1]) do
    local f = split(line)
    if f[1] == "G" then
      local g = { weight = tonumber(f[3]), mode = f[4], items = {}, pos = tid - 1, step = nthreads }
      groups[f[2]] = g
      table.insert(order, g)
      total_weight = total_weight + g.weight
    elseif f[1] == "R" then
      local headers = { ["User-Agent"] = "ponte-bench/1" }
      local body = nil
      if f[5] ~= "" then headers["Cookie"] = f[5] end
      if f[6] ~= nil and f[6] ~= "" then
        body = f[6]
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      table.insert(groups[f[2]].items, wrk.format(f[3], f[4], headers, body))
    end
  end
end

function request()
  local r = math.random() * total_weight
  local g = order[#order]
  for _, candidate in ipairs(order) do
    if r < candidate.weight then
      g = candidate
      break
    end
    r = r - candidate.weight
  end
  if g.mode == "seq" then
    local i = (g.pos % #g.items) + 1
    g.pos = g.pos + g.step
    return g.items[i]
  end
  return g.items[math.random(#g.items)]
end

function response(status, headers, body)
  responses = responses + 1
  local q = headers["X-Ponte-Queries"]
  if q then
    queries = queries + tonumber(q)
    with_queries = with_queries + 1
  end
  if status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
end

function done(summary, latency, requests)
  local sums = { responses = 0, queries = 0, with_queries = 0, s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do
      sums[name] = sums[name] + (tonumber(thread:get(name)) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %.1f, "p95_us": %.1f, "p99_us": %.1f, ' ..
    '"max_us": %.1f, "mean_us": %.1f, "responses": %d, "queries": %d, "with_queries": %d, ' ..
    '"s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    sums.responses, sums.queries, sums.with_queries, sums.s2xx, sums.s3xx, sums.s4xx, sums.s5xx))
end
