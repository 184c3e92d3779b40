-- POST /v1/auth/login as this connection's user.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local email = line_of(os.getenv("BENCH_EMAILS"), id)
  wrk.method = "POST"
  wrk.path = "/v1/auth/login"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
  wrk.body = '{"email": "' .. email .. '", "password": "' .. os.getenv("BENCH_PASSWORD") .. '"}'
end
