-- wrk script: registers hotline petitions with realistic payloads (about 500 Chinese characters), each
-- from a new caller and with its own Idempotency-Key. TOKEN is an operator's API token.
dofile("bench/report.lua")
local token = os.getenv("TOKEN")
local paragraph = "本人系肢体残疾二级，家住青山区宝场镇乐湾村，今年五十八岁，与老伴二人生活。自今年八月起，" ..
  "每月应发的困难残疾人生活补贴和重度残疾人护理补贴一直没有到账，村里说材料已经报到镇上，镇上说需要区里审核，" ..
  "至今没有明确答复。家中收入主要靠老伴打零工，平时还要支付康复训练和药品费用，生活十分困难。"
local content = paragraph .. paragraph .. paragraph .. "恳请有关部门尽快核实情况，补发拖欠的补贴，并告知今后的办理流程。谢谢！"
local threads = {}
local counter = 0  -- `id` is set per thread by setup()

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
  counter = counter + 1
  local phone = string.format("15%09d", math.random(0, 999999999))
  local body = '{"channel":"hotline","type":"help","category":"subsidies","urgency":"normal",' ..
    '"subject":"生活补贴和护理补贴未按时发放","content":"' .. content .. '",' ..
    '"petitioner":{"name":"测试来电人","gender":"male","phone":"' .. phone .. '","address":"宝场镇乐湾村三组"}}'
  return wrk.format("POST", "/api/v1/petitions", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), id, counter),
  }, body)
end

function response(status, headers, body)
  if status ~= 201 and not reported then
    reported = true
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
