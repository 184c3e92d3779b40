-- Shared by every scenario: one connection per wrk thread (-t N -c N), each thread with its
-- own numbered identity, and a JSON summary on stdout at the end.

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

-- The `id`-th line of a file (1-based, wrapping around).
function line_of(path, id)
  local lines = {}
  for line in io.lines(path) do lines[#lines + 1] = line end
  return lines[((id - 1) % #lines) + 1], lines
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(99)))
end
