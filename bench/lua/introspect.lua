-- POST /v1/introspect with the service token, each request of the access token of the
-- thread's next client.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local requests = {}
  for _, token in ipairs(identities_of(os.getenv("BENCH_TOKENS"))) do
    requests[#requests + 1] = wrk.format("POST", "/v1/introspect",
      headers_with({
        ["Authorization"] = "Bearer " .. os.getenv("BENCH_SERVICE_TOKEN"),
        ["Content-Type"] = "application/json",
      }),
      '{"token": "' .. token .. '", "ip": "203.0.113.7"}')
  end
  send_in_turn(requests)
end
