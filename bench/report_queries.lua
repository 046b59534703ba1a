-- wrk script: one report request, again and again. TARGET is its path and query; TOKEN a manager's token.
dofile("bench/report.lua")
local token = os.getenv("TOKEN")
local target = os.getenv("TARGET")

function request()
  return wrk.format("GET", target, {["Authorization"] = "Bearer " .. token})
end
