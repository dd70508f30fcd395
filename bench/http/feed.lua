-- bench/http/feed.lua: the wrk script of bench/http/run.sh.  Each request
-- is made by the next signed-in person of a list, in turn:
--   wrk ... -s feed.lua URL -- TOKENS MODE NAME MARKER
-- TOKENS: a file of session or API tokens (64 hex digits), one a line;
-- MODE "bearer": "Authorization: Bearer <token>" (API tokens);
-- MODE "cookie": "Cookie: <NAME>=<token>" (browser sessions).
-- An answer is counted "ok" when it is a 200 whose body contains MARKER (a
-- post), "empty" when it is a 200 without, "bad" otherwise (401, 303 to
-- the sign-in page, 503...).  done() prints the counts and the exact p50
-- and p99 as one line starting "bench:".

local threads = {}

function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	local f = assert(io.open(args[1], "r"))
	tokens = {}
	for line in f:lines() do
		if #line == 64 then
			tokens[#tokens + 1] = line
		end
	end
	f:close()
	assert(#tokens > 0, "no tokens in " .. args[1])
	mode, name, marker = args[2], args[3], args[4]
	-- Threads start at different places of the list.
	i = math.floor(tid * #tokens / 16) % #tokens
	ok, empty, bad = 0, 0, 0
end

function request()
	local h = {}
	i = i % #tokens + 1
	if mode == "bearer" then
		h["Authorization"] = "Bearer " .. tokens[i]
	else
		h["Cookie"] = name .. "=" .. tokens[i]
	end
	return wrk.format("GET", nil, h)
end

function response(status, headers, body)
	if status ~= 200 then
		bad = bad + 1
	elseif string.find(body, marker, 1, true) then
		ok = ok + 1
	else
		empty = empty + 1
	end
end

function done(summary, latency, requests)
	local o, e, b = 0, 0, 0
	for _, t in ipairs(threads) do
		o = o + t:get("ok")
		e = e + t:get("empty")
		b = b + t:get("bad")
	end
	io.write(string.format("bench: ok=%d empty=%d bad=%d p50_ms=%.2f p99_ms=%.2f\n",
	    o, e, b, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
