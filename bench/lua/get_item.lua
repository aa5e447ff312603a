-- GET /items/{id} for a random id among the seeded items.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local items = tonumber(os.getenv("BENCH_ITEMS") or "100000")

function init(args)
  math.randomseed(os.time() * 100 + tid)
end

function request()
  return wrk.format("GET", "/items/" .. math.random(1, items))
end
