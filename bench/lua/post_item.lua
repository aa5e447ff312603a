-- POST /items as the bench user (Bearer token obtained once by the driver).
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local headers = {
  ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
  ["Content-Type"] = "application/json",
}

function init(args)
  math.randomseed(os.time() * 100 + tid)
end

function request()
  local cents = math.random(0, 999999)
  local body = string.format(
    '{"name": "bench item", "description": "made by wrk", "price": "%d.%02d"}',
    math.floor(cents / 100), cents % 100)
  return wrk.format("POST", "/items", headers, body)
end
