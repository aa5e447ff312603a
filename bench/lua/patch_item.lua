-- PATCH /items/{id} as the bench user, who owns items 1..BENCH_OWNED.
-- Each thread walks its own slice of those ids in turn, so no two requests in flight
-- touch the same row (no hot-row lock waits, no version conflicts).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local owned = tonumber(os.getenv("BENCH_OWNED") or "20000")
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local headers = {
  ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
  ["Content-Type"] = "application/json",
}
local slice, base, n

function init(args)
  slice = math.floor(owned / threads)
  base = tid * slice
  n = math.random(0, slice - 1)
end

function request()
  n = (n + 1) % slice
  local cents = (base + n) * 7 % 1000000
  local body = string.format('{"price": "%d.%02d"}', math.floor(cents / 100), cents % 100)
  return wrk.format("PATCH", "/items/" .. (base + n + 1), headers, body)
end
