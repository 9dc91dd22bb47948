// The Lua side of record UDFs: the record and aerospike modules, logging, module loading and the
// apply entry point. Appended to lua-types.ts in one chunk (it uses that chunk's locals), followed
// by lua-stream.ts and lua-sandbox.ts; the chunk receives the node's host function.
export const LUA_RECORD_SOURCE = String.raw`
local host = ...
local H_BIN, H_STAGE, H_CREATE, H_UPDATE, H_REMOVE, H_EXISTS, H_META, H_BIN_NAMES, H_SET_TTL, H_DROP_KEY, H_LOG =
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
local M_TTL, M_GEN, M_LUT, M_SET, M_KEY, M_DIGEST, M_NBINS, M_SIZE = 1, 2, 3, 4, 5, 6, 7, 8
local rawload, pcall, tunpack, sformat, ostime = load, pcall, table.unpack, string.format, os.time

-- record ---------------------------------------------------------------------------------------
-- Bin values are fetched from the node on first read and cached; writes stay in the cache (and
-- DIRTY) until aerospike:create or aerospike:update hands them to the node.
local Record = { __metatable = false }
local CACHE, DIRTY = {}, {}

Record.__index = function(r, name)
  if type(name) ~= 'string' then return nil end
  local cache = rawget(r, CACHE)
  local v = cache[name]
  if v ~= nil or rawget(r, DIRTY)[name] then return v end
  local packed = host(H_BIN, name)
  if packed == nil then return nil end
  v = unpack_value(packed)
  cache[name] = v
  return v
end
Record.__newindex = function(r, name, v)
  if type(name) ~= 'string' then error('bin name must be a string', 2) end
  rawget(r, CACHE)[name] = v
  rawget(r, DIRTY)[name] = true
end

local function new_record() return setmetatable({ [CACHE] = {}, [DIRTY] = {} }, Record) end
local function check_record(r)
  if type(r) ~= 'table' or rawget(r, CACHE) == nil then error('bad argument #1: record expected', 3) end
  return r
end

local record = {}
function record.ttl(r) check_record(r) return host(H_META, M_TTL) end
function record.gen(r) check_record(r) return host(H_META, M_GEN) end
function record.last_update_time(r) check_record(r) return host(H_META, M_LUT) end
function record.setname(r) check_record(r) return host(H_META, M_SET) end
function record.key(r)
  check_record(r)
  local packed = host(H_META, M_KEY)
  if packed ~= nil then return unpack_value(packed) end
end
function record.digest(r) check_record(r) return new_bytes(host(H_META, M_DIGEST)) end
function record.numbins(r) check_record(r) return host(H_META, M_NBINS) end
function record.size(r) check_record(r) return host(H_META, M_SIZE) end
record.device_size = record.size
record.memory_size = record.size
function record.bin_names(r) check_record(r) return { host(H_BIN_NAMES) } end
function record.set_ttl(r, ttl)
  check_record(r)
  if mtype(ttl) ~= 'integer' then error('bad argument #2: integer ttl expected', 2) end
  host(H_SET_TTL, ttl)
end
function record.drop_key(r) check_record(r) host(H_DROP_KEY) end

-- aerospike ------------------------------------------------------------------------------------
local function stage(r)
  local cache = rawget(r, CACHE)
  for name in next, rawget(r, DIRTY) do host(H_STAGE, name, pack_value(cache[name])) end
end

local Aerospike = {}
local function commit(r, op)
  check_record(r)
  stage(r)
  local rc = host(op)
  if rc == 0 then rawset(r, DIRTY, {}) end
  return rc
end
function Aerospike:create(r) return commit(r, H_CREATE) end
function Aerospike:update(r) return commit(r, H_UPDATE) end
function Aerospike:remove(r)
  check_record(r)
  local rc = host(H_REMOVE)
  if rc == 0 then rawset(r, CACHE, {}) rawset(r, DIRTY, {}) end
  return rc
end
function Aerospike:exists(r) check_record(r) return host(H_EXISTS) end
function Aerospike:log(level, message)
  host(H_LOG, mtype(level) == 'integer' and level or 0, tostring(message))
end
function Aerospike:get_current_time() return ostime() * 1000 end
function Aerospike:set_context() return 0 end
function Aerospike:get_config() return 0 end
local aerospike = setmetatable({}, { __index = Aerospike, __metatable = false })

local function logger(level)
  return function(m, ...)
    local ok, text = pcall(sformat, tostring(m), ...)
    host(H_LOG, level, ok and text or tostring(m))
  end
end

-- modules --------------------------------------------------------------------------------------
-- Each module runs in its own environment over the shared globals, so two modules may define
-- functions of the same name.
local globals = _G
local envs, exports = {}, {}
local function new_env()
  local env = setmetatable({}, { __index = globals, __metatable = false })
  env._G = env
  return env
end

local function user_require(name)
  if envs[name] == nil then error(sformat("module '%s' not found", tostring(name)), 2) end
  return exports[name]
end

-- Compiles and runs a module's top level; returns nil, or the error message.
local function define(name, source, chunkname)
  local env = new_env()
  local chunk, err = rawload(source, chunkname, 't', env)
  if chunk == nil then return err end
  local ok, result = pcall(chunk)
  if not ok then return type(result) == 'string' and result or 'module failed to load' end
  envs[name] = env
  exports[name] = result == nil and env or result
  return nil
end

local function forget(name)
  envs[name] = nil
  exports[name] = nil
end

-- Calls module.fname(rec, args...); returns msgpack of the result. Errors propagate to the node.
local function apply(name, fname, packed_args)
  local env = envs[name]
  if env == nil then error('UDF: Execution Error 1', 0) end
  local f = env[fname]
  if type(f) ~= 'function' then error('function not found', 0) end
  local args, n = unpack_args(packed_args)
  return pack_value(f(new_record(), tunpack(args, 1, n)))
end
`
