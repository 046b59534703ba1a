-- wrk script: read queries over the generated data set. QUERY picks one:
--   history: GET /api/v1/caller-history for a random existing caller (TOKEN: an operator's)
--   list:    GET /api/v1/petitions, one town's overdue petitions by deadline (TOKEN: a district manager's)
--   search:  GET /api/v1/petitions?q=<a two-character word> (TOKEN: a district manager's)
dofile("bench/report.lua")
local token = os.getenv("TOKEN")
local query = os.getenv("QUERY")
local petitioners = tonumber(os.getenv("PETITIONERS") or "300000")
local words = {"%E6%8A%A4%E7%90%86", "%E4%BD%8E%E4%BF%9D", "%E7%9B%B2%E9%81%93", "%E5%BA%B7%E5%A4%8D",
               "%E8%BE%85%E5%85%B7", "%E5%B0%B1%E4%B8%9A"}  -- 护理 低保 盲道 康复 辅具 就业

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
  local path
  if query == "history" then
    path = string.format("/api/v1/caller-history?phone=139%08d", math.random(1, petitioners))
  elseif query == "list" then
    path = string.format("/api/v1/petitions?unit=QS-T%02d&deadline=overdue&sort=deadline&limit=50", math.random(1, 42))
  else
    path = "/api/v1/petitions?limit=50&q=" .. words[math.random(1, #words)]
  end
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end

function response(status, headers, body)
  if status ~= 200 and not reported then
    reported = true
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
