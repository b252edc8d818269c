-- A client that floods the public list with random filter combinations, each a page the cache
-- does not hold: random words, regions, kinds, dates and pages ($BENCH_REGIONS, comma-separated).
-- Answers are counted by status (200 built, 429 past this client's budget, 503 busy).
dofile("bench/wrk/summary.lua")

local regions = {}
for code in string.gmatch(os.getenv("BENCH_REGIONS"), "[^,]+") do table.insert(regions, code) end
local kinds = {"detention", "denied_access", "internet_blockage", "procedural", "intimidation"}
statuses = {}

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
end

function request()
  local day = string.format("2021-01-%02d", math.random(1, 28))
  local path = string.format(
    "/incidents/?q=w%d&region=%s&kind=%s&date_from=%s&page=%d",
    math.random(1, 1000000000), regions[math.random(#regions)], kinds[math.random(#kinds)], day, math.random(1, 3))
  return wrk.format("GET", path, {["X-Forwarded-For"] = "203.0.113.9"})
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
