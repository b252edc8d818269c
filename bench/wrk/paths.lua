-- GET the paths listed in the file $BENCH_PATHS (one per line), in turn, taking gzip as browsers do
-- ($BENCH_ACCEPT_ENCODING, empty for none).
dofile("bench/wrk/summary.lua")

local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then table.insert(paths, line) end
end
local next_path = 0
local accept = os.getenv("BENCH_ACCEPT_ENCODING") or "gzip, deflate, br"
local headers = {}
if accept ~= "" then headers["Accept-Encoding"] = accept end

function init(args)
  -- Each thread (and each run) starts at its own place in the list.
  next_path = (id or 0) * 7919 % #paths
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], headers)
end
