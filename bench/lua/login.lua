-- POST /v1/auth/login, each request as the thread's next user.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local requests = {}
  for _, email in ipairs(identities_of(os.getenv("BENCH_EMAILS"))) do
    requests[#requests + 1] = wrk.format("POST", "/v1/auth/login",
      headers_with({ ["Content-Type"] = "application/json" }),
      '{"email": "' .. email .. '", "password": "' .. os.getenv("BENCH_PASSWORD") .. '"}')
  end
  send_in_turn(requests)
end
