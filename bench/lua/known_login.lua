-- Logins of known users: each thread (one connection) logs its user in again and again, a
-- quarter of a second after its previous answer, with the device token of its previous
-- login, as a returning device does (every login renews the token). BENCH_KNOWN holds
-- "email device_token" per line, one per thread.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local email, device_token, headers

function init(args)
  local line = lines_of(os.getenv("BENCH_KNOWN"))[id]
  email, device_token = line:match("^(%S+) (%S+)$")
  headers = headers_with({ ["Content-Type"] = "application/json" })
end

function delay()
  return 250
end

function request()
  return wrk.format("POST", "/v1/auth/login", headers,
    '{"email": "' .. email .. '", "password": "' .. os.getenv("BENCH_PASSWORD") ..
    '", "device_token": "' .. device_token .. '"}')
end

function response(status, headers, body)
  local renewed = body:match('"device_token":"([^"]+)"')
  if renewed then device_token = renewed end
end
