-- wrk script: GET PATHS in turn (PATHS: request paths separated by spaces, already URL-encoded), with TOKEN.
dofile("bench/report.lua")
local token = os.getenv("TOKEN")
local paths = {}
for path in string.gmatch(os.getenv("PATHS"), "%S+") do table.insert(paths, path) end
local next_path = 0

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], {["Authorization"] = "Bearer " .. token})
end

function response(status, headers, body)
  if status ~= 200 and not reported then
    reported = true
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
