// The end of the Lua environment chunk: the globals UDFs see, with those that would reach outside
// the VM (io, os.execute, package, debug, dofile, binary chunks) removed, and the entry points the
// node calls.
export const LUA_SANDBOX_SOURCE = String.raw`
local allowed_gc = { collect = true, count = true, step = true }
local rawgc = collectgarbage
local safe_os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }

_G.list, _G.map, _G.bytes, _G.geojson, _G.record, _G.aerospike = list, map, bytes, geojson, record, aerospike
_G.List, _G.Map, _G.Bytes, _G.GeoJSON = List, Map, Bytes, GeoJSON
_G.trace, _G.debug, _G.info, _G.warn = logger(4), logger(3), logger(2), logger(1)
_G.print = logger(3)
_G.type = box_type
_G.require = user_require
_G.load = function(chunk, chunkname, _, env) return rawload(chunk, chunkname, 't', env) end
_G.collectgarbage = function(opt, ...) if opt == nil or allowed_gc[opt] then return rawgc(opt, ...) end return 0 end
_G.os = safe_os
_G.io, _G.package, _G.dofile, _G.loadfile = nil, nil, nil, nil
string.dump = nil
function math.sum(a, b) return a + b end
function math.product(a, b) return a * b end

return { define = define, forget = forget, apply = apply, apply_stream = apply_stream }
`
