// The Lua side of stream UDFs (aggregation). A stream function receives a stream and returns it with
// stages chained on: map, filter, aggregate, reduce, groupby. The node runs the stages up to and
// including the first reduce over a batch of records and hands out what comes out; the client runs
// that reduce again over the results of every batch, then the stages after it. Stages pull values
// one at a time, and a nil value ends a stream, as on Aerospike. Appended after lua-record.ts in
// the same chunk (it uses that chunk's locals).
export const LUA_STREAM_SOURCE = String.raw`
local H_NEXT, H_EMIT = 12, 13
local STAGES = {}
local Stream = { __metatable = false }
Stream.__index = Stream

local function new_stream() return setmetatable({ [STAGES] = {} }, Stream) end

-- A stage is { run = function(input, ...) -> iterator, args = {...}, n = #args, reduces = bool }.
local function add_stage(s, run, reduces, ...)
  local stages = rawget(s, STAGES)
  stages[#stages + 1] = { run = run, reduces = reduces, args = { ... }, n = select('#', ...) }
  return s
end

local function copy(v)
  if type(v) ~= 'table' then return v end
  local mt = getmetatable(v)
  if mt == Map then return map.clone(v) end
  if mt == List then return list.clone(v) end
  if mt ~= nil then return v end
  local out = {}
  for k, x in next, v do out[k] = x end
  return out
end

local function run_map(input, f)
  return function()
    local v = input()
    if v ~= nil then return f(v) end
  end
end

local function run_filter(input, p)
  return function()
    for v in input do
      if p(v) then return v end
    end
  end
end

local function run_reduce(input, f)
  local done = false
  return function()
    if done then return nil end
    done = true
    local acc = input()
    if acc == nil then return nil end
    for v in input do acc = f(acc, v) end
    return acc
  end
end

local function run_aggregate(input, init, f)
  local done = false
  return function()
    if done then return nil end
    done = true
    local acc = copy(init)
    for v in input do acc = f(acc, v) end
    return acc
  end
end

function Stream:map(f) return add_stage(self, run_map, false, f) end
function Stream:filter(p) return add_stage(self, run_filter, false, p) end
function Stream:reduce(f) return add_stage(self, run_reduce, true, f) end
function Stream:aggregate(init, f) return add_stage(self, run_aggregate, false, init, f) end

-- groupby(f): a map from f(value) to the list of values with that key.
local function concat_lists(a, b)
  local out = list.clone(a)
  list.concat(out, b)
  return out
end
local function merge_groups(a, b) return map.merge(a, b, concat_lists) end
function Stream:groupby(f)
  local function add(groups, v)
    local k = f(v)
    local members = groups[k]
    if members == nil then
      members = list()
      groups[k] = members
    end
    list.append(members, v)
    return groups
  end
  return self:aggregate(map(), add):reduce(merge_groups)
end

-- The records of the batch, each a fresh record object, then nil.
local function records()
  local done = false
  return function()
    if done then return nil end
    if host(H_NEXT) then return new_record() end
    done = true
  end
end

-- Calls module.fname(stream, args...) and runs the node's stages over the batch, handing each
-- value out as msgpack. Errors propagate to the node.
local function apply_stream(name, fname, packed_args)
  local env = envs[name]
  if env == nil then error('module not found', 0) end
  local f = env[fname]
  if type(f) ~= 'function' then error('function not found', 0) end
  local args, n = unpack_args(packed_args)
  local s = f(new_stream(), tunpack(args, 1, n))
  if type(s) ~= 'table' or rawget(s, STAGES) == nil then error('the stream function did not return its stream', 0) end
  local values = records()
  for _, stage in ipairs(rawget(s, STAGES)) do
    values = stage.run(values, tunpack(stage.args, 1, stage.n))
    if stage.reduces then break end
  end
  for v in values do host(H_EMIT, pack_value(v)) end
end
`
