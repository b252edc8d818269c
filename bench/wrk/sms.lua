-- Signed SMS webhook posts, as a gateway sends them. $BENCH_MESSAGES holds one message a line,
-- "signature<TAB>body", signed in advance (wrk has no HMAC); each thread sends the lines of its own
-- share (line number modulo $BENCH_THREADS), so no two requests carry the same message id.
-- With $BENCH_STORM set, every request is the first line instead: one message replayed, and each
-- answer is compared with the first one received (BENCH_RESULT counts the differing ones as status "differs").
dofile("bench/wrk/summary.lua")

local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local storm = os.getenv("BENCH_STORM") == "1"
local lines = {}
local counter = 0
statuses = {}
local first_answer = nil

function init(args)
  local number = 0
  for line in io.lines(os.getenv("BENCH_MESSAGES")) do
    if line ~= "" then
      if storm then
        if #lines == 0 then table.insert(lines, line) end
      elseif number % thread_count == (id or 0) then
        table.insert(lines, line)
      end
      number = number + 1
    end
  end
end

function request()
  counter = counter + 1
  local line = lines[(counter - 1) % #lines + 1]
  local tab = string.find(line, "\t", 1, true)
  return wrk.format("POST", "/sms/generic/", {
    ["Content-Type"] = "application/json",
    ["X-Observer-Signature"] = string.sub(line, 1, tab - 1),
  }, string.sub(line, tab + 1))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if storm and status == 200 then
    if first_answer == nil then first_answer = body end
    if body ~= first_answer then statuses["differs"] = (statuses["differs"] or 0) + 1 end
  end
end
