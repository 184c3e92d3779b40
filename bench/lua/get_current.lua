-- GET /v1/sessions/current with this connection's access token.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local token = line_of(os.getenv("BENCH_TOKENS"), id)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
  wrk.path = os.getenv("BENCH_PATH") or "/v1/sessions/current"
end
