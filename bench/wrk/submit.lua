-- New reports through the API, as observers' phones send them: a token per observer (the file
-- $BENCH_TOKENS, one per line, taken in turn so that no observer passes the per-minute limit),
-- a new Idempotency-Key per report (run $BENCH_RUN, thread, counter), the four kinds in turn.
dofile("bench/wrk/summary.lua")

local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  if line ~= "" then table.insert(tokens, line) end
end
local regions = {}
for code in string.gmatch(os.getenv("BENCH_REGIONS"), "[^,]+") do table.insert(regions, code) end
local run = os.getenv("BENCH_RUN")
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")

local details = {
  {"detention", '{"people_detained":%d}'},
  {"denied_access", '{"person_role":"observer","people_affected":%d,"methods":["refused_entry"]}'},
  {"internet_blockage", '{"scope":"city","blockage_type":"mobile_data","services":["whatsapp"],"providers":"AS%d"}'},
  {"other", nil},
}

local counter = 0
statuses = {}

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local n = counter * thread_count + (id or 0)
  local token = tokens[n % #tokens + 1]
  local kind = details[n % #details + 1]
  local body = string.format(
    '{"kind":"%s","region":"%s","occurred_at":"2021-01-10T%02d:%02d:00Z","description":"Load test report %d of run %s."',
    kind[1], regions[n % #regions + 1], 2 + n % 11, n % 60, n, run)
  if kind[2] then
    body = body .. ',"details":' .. string.format(kind[2], 1 + n % 5)
  end
  body = body .. "}"
  return wrk.format("POST", "/api/v1/reports/", {
    ["Authorization"] = "Token " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. (id or 0) .. "-" .. counter,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
