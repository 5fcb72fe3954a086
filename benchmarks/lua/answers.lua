-- One request over and over, with every answer of 400 and above counted by status.
-- GET of wrk's URL by default; with $BENCH_CREATE_TAG set, a POST of a new item with a
-- unique name instead. A 503 must say when to come back: those without Retry-After
-- are counted apart.
local create_tag = os.getenv("BENCH_CREATE_TAG")
local threads = {}

function setup(thread)
  thread:set("thread_tag", (create_tag or "") .. "-" .. #threads)
  table.insert(threads, thread)
end

function init(args)
  failed = {}
  without_retry_after = 0
  counter = 0
end

local json_headers = { ["Content-Type"] = "application/json" }

function request()
  if create_tag then
    counter = counter + 1
    local body = string.format('{"name": "%s-%d", "quantity": %d}', thread_tag, counter, counter)
    return wrk.format("POST", nil, json_headers, body)
  end
  return wrk.format("GET")
end

function response(status, headers, body)
  if status >= 400 then
    failed[status] = (failed[status] or 0) + 1
    if status == 503 and not (headers["retry-after"] or headers["Retry-After"]) then
      without_retry_after = without_retry_after + 1
    end
  end
end

function done(summary, latency, requests)
  local failed_by_status = {}
  local missing = 0
  for _, thread in ipairs(threads) do
    missing = missing + thread:get("without_retry_after")
    for status, count in pairs(thread:get("failed")) do
      failed_by_status[status] = (failed_by_status[status] or 0) + count
    end
  end
  local statuses = {}
  for status, count in pairs(failed_by_status) do
    statuses[#statuses + 1] = string.format('"%d": %d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "without_retry_after": %d, "failed_statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max, missing,
    table.concat(statuses, ", ")))
end
