-- POST /v1/introspect of this connection's access token, with the service token.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local token = line_of(os.getenv("BENCH_TOKENS"), id)
  wrk.method = "POST"
  wrk.path = "/v1/introspect"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_SERVICE_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"token": "' .. token .. '", "ip": "203.0.113.7"}'
end
