-- wrk script: POSTs an SMS-gateway request like the dispatcher's (the baseline of the notification benchmark).
dofile("bench/report.lua")
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("POST", "/sms", {["Content-Type"] = "application/json", ["Idempotency-Key"] = "bench-" .. counter},
    '{"to":"13900000000","text":"【12385】您的信访事项已登记，受理编号20261128-ABCDEF，请妥善保存。","id":"bench-' .. counter .. '"}')
end
