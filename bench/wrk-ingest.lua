-- wrk script: sends the pre-signed requests of bench/gen_requests.py, each once, and counts the
-- answers by status (a repeated webhook-id is answered 200 duplicate, not 202).
--
--   wrk -t THREADS -c CONNECTIONS -d SECONDS --latency -s bench/wrk-ingest.lua URL -- FILE THREADS
--
-- Thread n of THREADS takes lines n+1, n+1+THREADS, … of FILE, so threads never share an id.
-- When a thread has sent all its lines it starts over (ids repeat): those sends are counted
-- as `repeated` and their answers show up as 200s; size FILE above rate × duration.
-- done() prints two lines bench/ingest.sh reads:
--   wrk-lua statuses: 202=N 200=N …; repeated N; distinct N; seconds S
--   wrk-lua latency ms: p50 X p90 X p99 X p99.9 X max X

local threads = {}
local counter = 0

function setup(thread)
    thread:set("thread_index", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

local requests = {}
-- Globals, so that done() can read them through thread:get.
n, i = 0, 0
repeated = 0
statuses = {}

function init(args)
    local file, nthreads = args[1], tonumber(args[2] or "1")
    local host = wrk.host .. ":" .. wrk.port
    local head = "POST " .. wrk.path .. " HTTP/1.1\r\nHost: " .. host .. "\r\ncontent-type: application/json\r\n"
    local line_no = 0
    for line in io.lines(file) do
        if line_no % nthreads == thread_index then
            local id, ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
            n = n + 1
            requests[n] = head .. "webhook-id: " .. id .. "\r\nwebhook-timestamp: " .. ts ..
                "\r\nwebhook-signature: " .. sig .. "\r\ncontent-length: " .. #body .. "\r\n\r\n" .. body
        end
        line_no = line_no + 1
    end
    if n == 0 then error("no requests for thread " .. thread_index .. " in " .. file) end
end

function request()
    i = i + 1
    if i > n then
        repeated = repeated + 1
        return requests[(i - 1) % n + 1]
    end
    return requests[i]
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests_)
    local total, reps, distinct = {}, 0, 0
    for _, t in ipairs(threads) do
        for status, count in pairs(t:get("statuses")) do
            total[status] = (total[status] or 0) + count
        end
        reps = reps + t:get("repeated")
        distinct = distinct + math.min(t:get("i"), t:get("n"))
    end
    local keys = {}
    for status in pairs(total) do table.insert(keys, status) end
    table.sort(keys)
    local parts = {}
    for _, status in ipairs(keys) do table.insert(parts, status .. "=" .. total[status]) end
    io.write(string.format("wrk-lua statuses: %s; repeated %d; distinct %d; seconds %.3f\n",
        table.concat(parts, " "), reps, distinct, summary.duration / 1e6))
    io.write(string.format("wrk-lua latency ms: p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f\n",
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000, latency.max / 1000))
end
