-- What every wrk run of the benchmarks prints at its end: one line of JSON, read by bench/run.py.
-- Answers by status are counted in response() where a script wants them (see submit.lua).

threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function report(summary, latency)
  local statuses = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    if counted then
      for status, count in pairs(counted) do
        statuses[tostring(status)] = (statuses[tostring(status)] or 0) + count
      end
    end
  end
  local parts = {}
  for status, count in pairs(statuses) do
    table.insert(parts, string.format('"%s":%d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, table.concat(parts, ",")))
end

function done(summary, latency, requests)
  report(summary, latency)
end
