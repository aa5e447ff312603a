-- GET /items?sort=price&limit=20&cursor=... : a page of 20 from a random keyset position.
-- The cursors (Catalog's format, one path per line) are written by the driver.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local paths = {}

function init(args)
  math.randomseed(os.time() * 100 + tid)
  for line in io.lines(os.getenv("BENCH_LIST_PATHS")) do
    paths[#paths + 1] = line
  end
end

function request()
  return wrk.format("GET", paths[math.random(1, #paths)])
end
