-- wrk script: GET /t/<token> over tokens picked at random from a file (one per line).
-- Usage: wrk ... -s bench/redirect.lua URL -- TOKENS_FILE
-- done() prints one line of JSON (BENCH_JSON ...) that bench/load.py reads.
local tokens = {}

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  -- each wrk thread has its own Lua state: seed them apart
  local address = tonumber(tostring(tokens):match("0x(%x+)") or "0", 16)
  math.randomseed(os.time() + address % 1000003)
end

function request()
  return wrk.format("GET", "/t/" .. tokens[math.random(#tokens)])
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "non_2xx_3xx": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
