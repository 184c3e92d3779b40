-- A credential-stuffing flood: POST /v1/auth/login with a wrong password for a random one
-- of BENCH_FLOOD_ACCOUNTS accounts (flood-<n>@example.com), each from a new random address
-- (X-Forwarded-For; the server trusts loopback as its proxy).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local accounts = tonumber(os.getenv("BENCH_FLOOD_ACCOUNTS"))
local headers

function init(args)
  math.randomseed(id * 7919)
  headers = headers_with({ ["Content-Type"] = "application/json" })
end

function request()
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
    math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local email = string.format("flood-%d@example.com", math.random(1, accounts))
  return wrk.format("POST", "/v1/auth/login", headers,
    '{"email": "' .. email .. '", "password": "not the password at all"}')
end
