-- wrk script: POST one JSON-lines batch (BODY_FILE) per request. wrk itself reports
-- "Non-2xx or 3xx responses" when any request is refused.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/x-ndjson"
