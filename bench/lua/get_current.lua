-- GET BENCH_PATH (default /v1/sessions/current), each request with the access token of the
-- thread's next client: as a bearer token, or with BENCH_COOKIE set, as a browser's session
-- cookie (the development name, the server being on loopback).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local path = os.getenv("BENCH_PATH") or "/v1/sessions/current"
  local cookie = os.getenv("BENCH_COOKIE")
  send_for_each(identities_of(os.getenv("BENCH_TOKENS")), function(token)
    local credential = { ["Authorization"] = "Bearer " .. token }
    if cookie then credential = { ["Cookie"] = "session=" .. token } end
    return wrk.format("GET", path, headers_with(credential))
  end)
end
