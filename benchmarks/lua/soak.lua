-- Mixed reads and writes for the soak: list pages, single items, creates and updates.
-- Every 201 body names the item it created; those ids are written to $SOAK_IDS_FILE
-- at the end so the harness can check each acknowledged write in the database.
-- Answers of 400 and above are counted by status, so a failed run says what failed.
local run_tag = os.getenv("SOAK_RUN_TAG") or "soak"
local ids_file = os.getenv("SOAK_IDS_FILE")
local threads = {}

function setup(thread)
  thread:set("thread_tag", run_tag .. "-" .. #threads)
  table.insert(threads, thread)
end

function init(args)
  created = {}
  failed = {}
  acknowledged = 0
  counter = 0
  math.randomseed(os.time() + #thread_tag)
end

local json_headers = { ["Content-Type"] = "application/json" }

function request()
  local pick = math.random(100)
  if pick <= 20 then
    counter = counter + 1
    local body = string.format('{"name": "%s-%d", "quantity": %d}', thread_tag, counter, counter)
    return wrk.format("POST", "/api/v1/items", json_headers, body)
  elseif pick <= 30 and #created > 0 then
    local id = created[math.random(#created)]
    return wrk.format("PATCH", "/api/v1/items/" .. id, json_headers, '{"quantity": 7}')
  elseif pick <= 45 and #created > 0 then
    return wrk.format("GET", "/api/v1/items/" .. created[math.random(#created)])
  end
  return wrk.format("GET", string.format("/api/v1/items?limit=20&offset=%d", math.random(0, 80)))
end

function response(status, headers, body)
  if status >= 400 then
    failed[status] = (failed[status] or 0) + 1
  end
  if status == 201 then
    local id = body:match('"id":%s*"([0-9a-f%-]+)"')
    if id then
      acknowledged = acknowledged + 1
      created[#created + 1] = id
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  local failed_by_status = {}
  local out = ids_file and io.open(ids_file, "w")
  for _, thread in ipairs(threads) do
    total = total + thread:get("acknowledged")
    for status, count in pairs(thread:get("failed")) do
      failed_by_status[status] = (failed_by_status[status] or 0) + count
    end
    if out then
      for _, id in ipairs(thread:get("created")) do out:write(id, "\n") end
    end
  end
  if out then out:close() end
  local statuses = {}
  for status, count in pairs(failed_by_status) do
    statuses[#statuses + 1] = string.format('"%d": %d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "acknowledged_writes": %d, "failed_statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max, total,
    table.concat(statuses, ", ")))
end
