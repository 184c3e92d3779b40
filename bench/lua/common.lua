-- Shared by every scenario. wrk runs BENCH_THREADS threads, each numbered `id` (1-based);
-- the identities of a scenario (tokens, emails: one per line, one per client) are dealt out
-- to the threads like cards, so that the 64 connections act for 64 clients whatever the
-- number of threads. Prints a JSON summary on stdout at the end.

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

-- Every line of a file.
function lines_of(path)
  local lines = {}
  for line in io.lines(path) do lines[#lines + 1] = line end
  return lines
end

-- This thread's identities: lines id, id + threads, id + 2 × threads, … of the file.
function identities_of(path)
  local threads = tonumber(os.getenv("BENCH_THREADS"))
  local mine = {}
  for number, line in ipairs(lines_of(path)) do
    if (number - 1) % threads == id - 1 then mine[#mine + 1] = line end
  end
  return mine
end

-- Sends one request per identity in turn (`format` makes an identity's request with
-- wrk.format, once), so that the thread's connections send for different clients at once.
function send_for_each(identities, format)
  local requests = {}
  for _, identity in ipairs(identities) do requests[#requests + 1] = format(identity) end
  local next_request = 0
  request = function()
    next_request = next_request % #requests + 1
    return requests[next_request]
  end
end

-- The request headers every scenario sends (the user agent the sessions were started
-- with, BENCH_USER_AGENT), with `extra` added.
function headers_with(extra)
  local headers = { ["Host"] = wrk.host, ["User-Agent"] = os.getenv("BENCH_USER_AGENT") }
  for name, value in pairs(extra) do headers[name] = value end
  return headers
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(99)))
end
