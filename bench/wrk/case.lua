-- One bench case for wrk, described by the environment (bench/run.py sets it):
--   CASE_METHOD, CASE_PATH, CASE_BODY (text or empty), CASE_HEADERS ("name: value|…"),
--   CASE_FIRST, CASE_STEP, CASE_COUNT: each request draws n = FIRST + STEP * k, k random
--   in [0, COUNT); "{n}" in the path and body becomes n, "{msisdn}" 447800000000 + n.
local method = os.getenv("CASE_METHOD") or "GET"
local path = os.getenv("CASE_PATH") or "/"
local body = os.getenv("CASE_BODY") or ""
local first = tonumber(os.getenv("CASE_FIRST") or "0")
local step = tonumber(os.getenv("CASE_STEP") or "1")
local count = tonumber(os.getenv("CASE_COUNT") or "1")
local headers = {}
for h in string.gmatch(os.getenv("CASE_HEADERS") or "", "[^|]+") do
  local k, v = string.match(h, "^%s*([^:]+):%s*(.*)$")
  if k then headers[k] = v end
end

local counter = 1
function setup(thread)
  thread:set("seed", counter)
  counter = counter + 1
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local n = first + step * math.random(0, count - 1)
  local function fill(s)
    s = string.gsub(s, "{n}", tostring(n))
    return (string.gsub(s, "{msisdn}", string.format("%.0f", 447800000000 + n)))
  end
  local b = nil
  if body ~= "" then b = fill(body) end
  return wrk.format(method, fill(path), headers, b)
end
