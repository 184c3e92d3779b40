-- GET BENCH_PATH (default /v1/sessions/current), each request with the access token of the
-- thread's next client.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local path = os.getenv("BENCH_PATH") or "/v1/sessions/current"
  send_for_each(identities_of(os.getenv("BENCH_TOKENS")), function(token)
    return wrk.format("GET", path, headers_with({ ["Authorization"] = "Bearer " .. token }))
  end)
end
