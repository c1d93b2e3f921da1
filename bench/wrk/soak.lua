-- The mixed soak (bench/soak.sh): every request draws one of the cases below — reads and
-- writes in REST XML, REST JSON and SOAP — on a random copy of one demo row, and the answers
-- are counted by status class. SUBS / ACCOUNTS: how many synthetic copies there are.
local copies = tonumber(os.getenv("COPIES") or "1000")
local sample = os.getenv("SAMPLE_XML") or ""

local xml = { ["content-type"] = "application/xml", accept = "application/xml" }
local json = { ["content-type"] = "application/json", accept = "application/json" }
local soap = { ["content-type"] = "text/xml; charset=utf-8", SOAPAction = '""' }
local port = "/ws/dise3g/services/AgreementPort"
local agreement_ns = "http://mdsuk.com/ws/dise3g/agreement/definition"

local function envelope(op, inner)
  return '<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope '
    .. 'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>'
    .. '<ns0:' .. op .. ' xmlns:ns0="' .. agreement_ns .. '">' .. inner
    .. '</ns0:' .. op .. '></soap-env:Body></soap-env:Envelope>'
end

-- sub: subscription copy of 60272; acc2 / acc4: copies of accounts 10000002 / 10000004.
local cases = {
  function(sub, acc2, acc4) -- QueryCompatiblePackages, XML (the guide's sample)
    return "POST", "/ws/QueryCompatiblePackages", xml, (string.gsub(sample, "60272", sub))
  end,
  function(sub) -- the same in JSON
    return "POST", "/ws/QueryCompatiblePackages", json,
      '{"subscriptionNumber":' .. sub .. ',"eligibilityRules":{"salesChannel":"MYACCOUNT"}}'
  end,
  function(sub, acc2) -- QueryAgreementsByCustomerLevel, SOAP 7.3.8
    return "POST", port, soap, envelope("QueryAgreementsByCustomerLevel",
      '<ns0:Request><ExternalReference>SOAK</ExternalReference><AccountIdentifier>' .. acc2
      .. '</AccountIdentifier></ns0:Request>')
  end,
  function(sub) -- GetSubscription, XML
    return "GET", "/subscriptions/" .. sub, { accept = "application/xml" }, nil
  end,
  function(sub) -- GetSubscriptions by MSISDN, JSON
    return "GET", string.format("/subscriptions?nonManagedSerialNumber=%.0f", 447800000000 + sub),
      { accept = "application/json" }, nil
  end,
  function(sub, acc2, acc4) -- CreateAgreement, JSON (write)
    return "POST", "/agreements", json,
      '{"agreementData":{"billingCycle":10,"invoiceConsolidationLevel":"Account",'
      .. '"invoiceReceiptAddress":"Account","accountCode":' .. acc4 .. ',"billingMedia":"PAPER"}}'
  end,
  function(sub, acc2, acc4) -- CreateAgreement, XML document (write)
    return "POST", "/ws/CreateAgreement", xml,
      '<createAgreement><externalReference>SOAK</externalReference><agreementData>'
      .. '<billingCycle>12</billingCycle><accountCode>' .. acc4 .. '</accountCode>'
      .. '</agreementData></createAgreement>'
  end,
  function(sub, acc2, acc4) -- CreateAgreement, SOAP 7.3.8 (write)
    return "POST", port, soap, envelope("CreateAgreement",
      '<ns0:AgreementData><ExternalReference>SOAK</ExternalReference><AgreementData>'
      .. '<BillingCycle>14</BillingCycle><AccountCode>' .. acc4 .. '</AccountCode>'
      .. '</AgreementData></ns0:AgreementData>')
  end,
  function(sub) -- AddSubscriptionPackage, JSON (write)
    return "POST", "/subscriptions/" .. sub .. "/packages", json,
      '{"packageCode":"ETV","eligibilityRules":{"salesChannel":"MYACCOUNT"}}'
  end,
  function(sub) -- RecordUsage, JSON (write)
    return "POST", "/subscriptions/" .. sub .. "/usage", json, '{"usage":[{"type":"SMS","quantity":1}]}'
  end,
}

local threads = {}
local counter = 1
function setup(thread)
  thread:set("seed", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  s2xx, s4xx, s5xx, other = 0, 0, 0, 0
end

function request()
  local k = math.random(0, copies - 1)
  local f = cases[math.random(1, #cases)]
  local method, path, headers, body = f(60272 + 10 * k, 10000002 + 5 * k, 10000004 + 5 * k)
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = { s2xx = 0, s4xx = 0, s5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  io.write(string.format("SOAK 2xx=%d 4xx=%d 5xx=%d other=%d errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    t.s2xx, t.s4xx, t.s5xx, t.other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
