-- POST /v1/introspect with the service token, each request of the access token of the
-- thread's next client.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local headers = headers_with({
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_SERVICE_TOKEN"),
    ["Content-Type"] = "application/json",
  })
  send_for_each(identities_of(os.getenv("BENCH_TOKENS")), function(token)
    return wrk.format("POST", "/v1/introspect", headers,
      '{"token": "' .. token .. '", "ip": "203.0.113.7"}')
  end)
end
