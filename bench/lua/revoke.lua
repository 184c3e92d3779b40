-- DELETE /v1/sessions/{id}: each connection (one per thread) revokes its own user's
-- sessions, one after the other (BENCH_IDS_DIR/<n>.txt holds connection n's session ids).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local ids
local next_id = 0

function init(args)
  local token = identities_of(os.getenv("BENCH_TOKENS"))[1]
  ids = lines_of(os.getenv("BENCH_IDS_DIR") .. "/" .. id .. ".txt")
  wrk.method = "DELETE"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  next_id = next_id % #ids + 1
  return wrk.format(nil, "/v1/sessions/" .. ids[next_id])
end
