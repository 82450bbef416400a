-- wrk script: POST a hunting query with the bearer token from the environment. wrk itself
-- reports "Non-2xx or 3xx responses" when any request fails.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"Query":"' .. os.getenv("QUERY") .. '"}'
