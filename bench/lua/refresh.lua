-- POST /v1/auth/refresh: each connection (one per thread) rotates its own chain, taking the
-- successor from every response.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local current

function init(args)
  current = identities_of(os.getenv("BENCH_TOKENS"))[1]
  wrk.method = "POST"
  wrk.path = "/v1/auth/refresh"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  return wrk.format(nil, nil, nil, '{"refresh_token": "' .. current .. '"}')
end

function response(status, headers, body)
  local successor = body:match('"refresh_token":"([^"]+)"')
  if successor then current = successor end
end
