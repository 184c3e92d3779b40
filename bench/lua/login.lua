-- POST /v1/auth/login, each request as the thread's next user.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function init(args)
  local headers = headers_with({ ["Content-Type"] = "application/json" })
  send_for_each(identities_of(os.getenv("BENCH_EMAILS")), function(email)
    return wrk.format("POST", "/v1/auth/login", headers,
      '{"email": "' .. email .. '", "password": "' .. os.getenv("BENCH_PASSWORD") .. '"}')
  end)
end
