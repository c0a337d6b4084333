-- wrk script: one thread per connection, each with its own session (cookie or bearer token,
-- one per line of BENCH_CREDENTIALS), and a JSON summary with p50/p95/p99 for bench/run.py.
-- Optional BENCH_PATHS and BENCH_BODIES give each connection its own path and body (line n
-- for connection n), e.g. each learner's own attempt and a form with their CSRF token.
local threads = {}
local counter = 0

local function lines(text)
  local found = {}
  for line in string.gmatch(text or "", "[^\n]+") do table.insert(found, line) end
  return found
end

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local credentials = lines(os.getenv("BENCH_CREDENTIALS"))
  local mine = credentials[((id - 1) % math.max(#credentials, 1)) + 1]
  local paths = lines(os.getenv("BENCH_PATHS"))
  if #paths > 0 then wrk.path = paths[((id - 1) % #paths) + 1] end
  local bodies = lines(os.getenv("BENCH_BODIES"))
  local auth = os.getenv("BENCH_AUTH")
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
  local body = os.getenv("BENCH_BODY") or ""
  if #bodies > 0 then body = bodies[((id - 1) % #bodies) + 1] end
  if body ~= "" then wrk.body = body end
  local content_type = os.getenv("BENCH_CONTENT_TYPE") or ""
  if content_type ~= "" then wrk.headers["Content-Type"] = content_type end
  if auth == "cookie" and mine then wrk.headers["Cookie"] = mine end
  if auth == "bearer" and mine then wrk.headers["Authorization"] = "Bearer " .. mine end
  wrk.headers["Accept-Encoding"] = "gzip"
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "errors": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
