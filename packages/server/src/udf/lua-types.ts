// The Lua side of Aerospike's value types: list, map, bytes and GeoJSON, plus the msgpack codec
// that carries values between Lua and the node (strings and blobs with Aerospike's particle-type
// byte inside the str payload). Runs once when the VM starts; defines locals that lua-record.ts
// (appended after this chunk) uses, and the globals list, map, bytes, geojson that UDFs call.
import { limits } from '../limits.ts'

export const LUA_TYPES_SOURCE = String.raw`
local type, setmetatable, getmetatable, rawget, rawset, select, tostring, next, pairs, error =
  type, setmetatable, getmetatable, rawget, rawset, select, tostring, next, pairs, error
local spack, sunpack, sbyte, schar, ssub, srep = string.pack, string.unpack, string.byte, string.char, string.sub, string.rep
local concat, tremove, mtype = table.concat, table.remove, math.type

-- Private keys: user code cannot name them, so map keys never collide with an object's state.
local ITEMS, SIZE, KEYS, VALUES, DATA, BLOB_TYPE = {}, {}, {}, {}, {}, {}

local List, Map, Bytes, GeoJSON = {}, {}, {}, {}
local BOXES = { [List] = true, [Map] = true, [Bytes] = true, [GeoJSON] = true }

local function new_list(items, n) return setmetatable({ [ITEMS] = items, [SIZE] = n }, List) end
local function new_map() return setmetatable({ [KEYS] = {}, [VALUES] = {} }, Map) end
local function new_bytes(s, t) return setmetatable({ [DATA] = s, [BLOB_TYPE] = t or 4 }, Bytes) end
local function new_geojson(s) return setmetatable({ [DATA] = s }, GeoJSON) end

-- list -----------------------------------------------------------------------------------------
List.__index = function(l, i)
  if mtype(i) == 'integer' then return rawget(l, ITEMS)[i] end
  return nil
end
List.__newindex = function(l, i, v)
  if mtype(i) ~= 'integer' or i < 1 then error('list index must be a positive integer', 2) end
  rawget(l, ITEMS)[i] = v
  if i > rawget(l, SIZE) then rawset(l, SIZE, i) end
end
List.__len = function(l) return rawget(l, SIZE) end

local function list_items(l)
  if getmetatable(l) ~= List then error('bad argument #1: list expected', 3) end
  return rawget(l, ITEMS), rawget(l, SIZE)
end

local list = {}
function list.create() return new_list({}, 0) end
list.new = list.create
function list.size(l) local _, n = list_items(l) return n end
function list.append(l, v) local t, n = list_items(l) t[n + 1] = v rawset(l, SIZE, n + 1) end
function list.prepend(l, v) list.insert(l, 1, v) end
function list.insert(l, pos, v)
  local t, n = list_items(l)
  if mtype(pos) ~= 'integer' or pos < 1 then return end
  if pos > n then t[pos] = v rawset(l, SIZE, pos) return end
  for i = n, pos, -1 do t[i + 1] = t[i] end
  t[pos] = v
  rawset(l, SIZE, n + 1)
end
function list.remove(l, pos)
  local t, n = list_items(l)
  if mtype(pos) ~= 'integer' or pos < 1 or pos > n then return end
  for i = pos, n - 1 do t[i] = t[i + 1] end
  t[n] = nil
  rawset(l, SIZE, n - 1)
end
function list.concat(l, other)
  local t, n = list_items(l)
  local o, m = list_items(other)
  for i = 1, m do t[n + i] = o[i] end
  rawset(l, SIZE, n + m)
end
function list.trim(l, pos)
  local t, n = list_items(l)
  if mtype(pos) ~= 'integer' or pos < 1 then return end
  for i = pos, n do t[i] = nil end
  if pos <= n then rawset(l, SIZE, pos - 1) end
end
function list.take(l, count)
  local t, n = list_items(l)
  if mtype(count) ~= 'integer' or count < 1 then return nil end
  if count > n then count = n end
  local out = {}
  for i = 1, count do out[i] = t[i] end
  return new_list(out, count)
end
function list.drop(l, count)
  local t, n = list_items(l)
  if mtype(count) ~= 'integer' or count < 1 then return nil end
  local out, m = {}, 0
  for i = count + 1, n do m = m + 1 out[m] = t[i] end
  return new_list(out, m)
end
function list.clone(l)
  local t, n = list_items(l)
  local out = {}
  for i = 1, n do out[i] = t[i] end
  return new_list(out, n)
end
function list.merge(a, b)
  local out = list.clone(a)
  list.concat(out, b)
  return out
end
function list.iterator(l)
  local t, n = list_items(l)
  local i = 0
  return function()
    i = i + 1
    if i <= n then return t[i] end
  end
end
setmetatable(list, { __call = function(_, init)
  local out, n = {}, 0
  if type(init) == 'table' and getmetatable(init) == nil then
    n = #init
    for i = 1, n do out[i] = init[i] end
  end
  return new_list(out, n)
end })

-- map ------------------------------------------------------------------------------------------
-- Keys keep their insertion order (KEYS is an array, VALUES maps key -> value).
Map.__index = function(m, k)
  if k == nil then return nil end
  return rawget(m, VALUES)[k]
end
local function map_put(m, k, v)
  local values = rawget(m, VALUES)
  if v == nil then
    if values[k] ~= nil then
      values[k] = nil
      local keys = rawget(m, KEYS)
      for i = 1, #keys do if keys[i] == k then tremove(keys, i) break end end
    end
    return
  end
  if values[k] == nil then local keys = rawget(m, KEYS) keys[#keys + 1] = k end
  values[k] = v
end
Map.__newindex = function(m, k, v)
  if k == nil then error('map key is nil', 2) end
  if k ~= k then error('map key is NaN', 2) end
  map_put(m, k, v)
end
Map.__len = function(m) return #rawget(m, KEYS) end

local function map_parts(m)
  if getmetatable(m) ~= Map then error('bad argument #1: map expected', 3) end
  return rawget(m, KEYS), rawget(m, VALUES)
end

local map = {}
function map.create() return new_map() end
map.new = map.create
function map.size(m) local keys = map_parts(m) return #keys end
function map.remove(m, k) map_parts(m) if k ~= nil then map_put(m, k, nil) end end
function map.pairs(m)
  local keys, values = map_parts(m)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, values[k] end
  end
end
map.iterator = map.pairs
function map.keys(m)
  local keys = map_parts(m)
  local i = 0
  return function() i = i + 1 return keys[i] end
end
function map.values(m)
  local keys, values = map_parts(m)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return values[k] end
  end
end
function map.clone(m)
  local out = new_map()
  for k, v in map.pairs(m) do map_put(out, k, v) end
  return out
end
function map.merge(a, b, f)
  local out = map.clone(a)
  local values = rawget(out, VALUES)
  for k, v in map.pairs(b) do
    local old = values[k]
    if old ~= nil and type(f) == 'function' then map_put(out, k, f(old, v)) else map_put(out, k, v) end
  end
  return out
end
function map.diff(a, b)
  local out = new_map()
  local av, bv = rawget(a, VALUES), rawget(b, VALUES)
  for k, v in map.pairs(a) do if bv[k] == nil then map_put(out, k, v) end end
  for k, v in map.pairs(b) do if av[k] == nil then map_put(out, k, v) end end
  return out
end
setmetatable(map, { __call = function(_, init)
  local out = new_map()
  if type(init) == 'table' and getmetatable(init) == nil then
    for k, v in next, init do map_put(out, k, v) end
  end
  return out
end })

-- bytes ----------------------------------------------------------------------------------------
-- A Lua string holds the bytes; writes past the end grow it with zero bytes, as Aerospike's do.
local function bytes_data(b)
  if getmetatable(b) ~= Bytes then error('bad argument #1: bytes expected', 3) end
  return rawget(b, DATA)
end
local function bytes_write(b, pos, piece)
  local s = bytes_data(b)
  if mtype(pos) ~= 'integer' or pos < 1 then return false end
  local n = #s
  if pos - 1 > n then s = s .. srep('\0', pos - 1 - n) end
  rawset(b, DATA, ssub(s, 1, pos - 1) .. piece .. ssub(s, pos + #piece))
  return true
end
local function bytes_read(b, pos, fmt, width)
  local s = bytes_data(b)
  if mtype(pos) ~= 'integer' or pos < 1 or pos + width - 1 > #s then return nil end
  return (sunpack(fmt, s, pos))
end

Bytes.__index = function(b, i) if mtype(i) == 'integer' then return bytes_read(b, i, 'B', 1) end end
Bytes.__newindex = function(b, i, v) if mtype(i) == 'integer' and mtype(v) == 'integer' and v >= 0 and v <= 255 then bytes_write(b, i, schar(v)) end end
Bytes.__len = function(b) return #rawget(b, DATA) end

local bytes = {}
function bytes.size(b) return #bytes_data(b) end
function bytes.set_size(b, n)
  local s = bytes_data(b)
  if mtype(n) ~= 'integer' or n < 0 then return false end
  if n < #s then rawset(b, DATA, ssub(s, 1, n)) else rawset(b, DATA, s .. srep('\0', n - #s)) end
  return true
end
function bytes.get_type(b) bytes_data(b) return rawget(b, BLOB_TYPE) end
function bytes.set_type(b, t) bytes_data(b) if mtype(t) == 'integer' then rawset(b, BLOB_TYPE, t) return true end return false end
function bytes.get_string(b, pos, n)
  local s = bytes_data(b)
  if mtype(pos) ~= 'integer' or pos < 1 or mtype(n) ~= 'integer' or n < 0 then return nil end
  return ssub(s, pos, pos + n - 1)
end
function bytes.get_bytes(b, pos, n)
  local piece = bytes.get_string(b, pos, n)
  if piece ~= nil then return new_bytes(piece) end
end
function bytes.get_byte(b, pos) return bytes_read(b, pos, 'B', 1) end
function bytes.set_string(b, pos, v) if type(v) ~= 'string' then return false end return bytes_write(b, pos, v) end
function bytes.set_bytes(b, pos, v, n)
  local piece = bytes_data(v)
  if mtype(n) == 'integer' and n >= 0 then piece = ssub(piece, 1, n) end
  return bytes_write(b, pos, piece)
end
function bytes.set_byte(b, pos, v)
  if mtype(v) ~= 'integer' or v < 0 or v > 255 then return false end
  return bytes_write(b, pos, schar(v))
end
function bytes.append_string(b, v) if type(v) ~= 'string' then return false end return bytes_write(b, #bytes_data(b) + 1, v) end
function bytes.append_bytes(b, v, n)
  local piece = bytes_data(v)
  if mtype(n) == 'integer' and n >= 0 then piece = ssub(piece, 1, n) end
  return bytes_write(b, #bytes_data(b) + 1, piece)
end
function bytes.append_byte(b, v) return bytes.set_byte(b, #bytes_data(b) + 1, v) end

local INT_FORMATS = { int16 = { 'i2', 2 }, int32 = { 'i4', 4 }, int64 = { 'i8', 8 } }
for name, f in pairs(INT_FORMATS) do
  local fmt, width = f[1], f[2]
  for _, order in ipairs({ { '', '>' }, { '_be', '>' }, { '_le', '<' } }) do
    local suffix, endian = order[1], order[2]
    bytes['get_' .. name .. suffix] = function(b, pos) return bytes_read(b, pos, endian .. fmt, width) end
    bytes['set_' .. name .. suffix] = function(b, pos, v)
      if mtype(v) ~= 'integer' then return false end
      return bytes_write(b, pos, spack(endian .. fmt, v))
    end
    bytes['append_' .. name .. suffix] = function(b, v)
      if mtype(v) ~= 'integer' then return false end
      return bytes_write(b, #bytes_data(b) + 1, spack(endian .. fmt, v))
    end
  end
end

-- Variable-length unsigned integers, 7 bits per byte, high bit = more follows.
local function var_int(v)
  local out = {}
  v = v & 0xffffffff
  repeat
    local byte = v & 0x7f
    v = v >> 7
    if v ~= 0 then byte = byte | 0x80 end
    out[#out + 1] = schar(byte)
  until v == 0
  return concat(out)
end
function bytes.get_var_int(b, pos)
  local s = bytes_data(b)
  if mtype(pos) ~= 'integer' or pos < 1 then return nil end
  local v, shift, i = 0, 0, pos
  while i <= #s and i < pos + 5 do
    local byte = sbyte(s, i)
    v = v | ((byte & 0x7f) << shift)
    i = i + 1
    if byte < 0x80 then return v, i - pos end
    shift = shift + 7
  end
  return nil
end
function bytes.set_var_int(b, pos, v)
  if mtype(v) ~= 'integer' then return 0 end
  local piece = var_int(v)
  if bytes_write(b, pos, piece) then return #piece end
  return 0
end
function bytes.append_var_int(b, v) return bytes.set_var_int(b, #bytes_data(b) + 1, v) end
setmetatable(bytes, { __call = function(_, capacity) return new_bytes('') end })

-- GeoJSON --------------------------------------------------------------------------------------
local geojson = setmetatable({}, { __call = function(_, s)
  if type(s) ~= 'string' then error('geojson expects a string', 2) end
  return new_geojson(s)
end })
GeoJSON.__index = function() return nil end

-- tostring -------------------------------------------------------------------------------------
local function show(v)
  if type(v) == 'string' then return v end
  return tostring(v)
end
List.__tostring = function(l)
  local t, n = rawget(l, ITEMS), rawget(l, SIZE)
  local parts = {}
  for i = 1, n do parts[i] = show(t[i]) end
  return 'List(' .. concat(parts, ', ') .. ')'
end
Map.__tostring = function(m)
  local parts = {}
  for k, v in map.pairs(m) do parts[#parts + 1] = show(k) .. '->' .. show(v) end
  return 'Map(' .. concat(parts, ', ') .. ')'
end
Bytes.__tostring = function(b)
  local s = rawget(b, DATA)
  return 'Bytes(' .. (s:gsub('.', function(c) return string.format('%02X', sbyte(c)) end)) .. ')'
end
GeoJSON.__tostring = function(g) return rawget(g, DATA) end
for mt in pairs(BOXES) do mt.__metatable = mt end

-- msgpack --------------------------------------------------------------------------------------
local MAX_DEPTH = ${limits.maxLuaValueDepth}
local decode

local function decode_str(s, i, n)
  if n == 0 then return '', i end
  local t = sbyte(s, i)
  local body = ssub(s, i + 1, i + n - 1)
  if t == 3 then return body, i + n end
  if t == 23 then return new_geojson(body), i + n end
  return new_bytes(body, t), i + n
end

local function skip_ext(n, i) return nil, i + n, true end

-- Returns value, next position, and true when the value was an ext (ordering flags: skipped).
decode = function(s, i, depth)
  if depth > MAX_DEPTH then error('msgpack nested too deep', 0) end
  local b = sbyte(s, i)
  if b == nil then error('msgpack truncated', 0) end
  if b <= 0x7f then return b, i + 1 end
  if b >= 0xe0 then return b - 256, i + 1 end
  if b <= 0x8f or (b == 0xde or b == 0xdf) then
    local n
    if b <= 0x8f then n, i = b & 0x0f, i + 1
    elseif b == 0xde then n, i = sunpack('>I2', s, i + 1)
    else n, i = sunpack('>I4', s, i + 1) end
    local m = new_map()
    for _ = 1, n do
      local k, v, ext
      k, i, ext = decode(s, i, depth + 1)
      v, i = decode(s, i, depth + 1)
      if not ext and k ~= nil then map_put(m, k, v) end
    end
    return m, i
  end
  if b <= 0x9f or b == 0xdc or b == 0xdd then
    local n
    if b <= 0x9f then n, i = b & 0x0f, i + 1
    elseif b == 0xdc then n, i = sunpack('>I2', s, i + 1)
    else n, i = sunpack('>I4', s, i + 1) end
    local items, size = {}, 0
    for _ = 1, n do
      local v, ext
      v, i, ext = decode(s, i, depth + 1)
      if not ext then size = size + 1 items[size] = v end
    end
    return new_list(items, size), i
  end
  if b <= 0xbf then return decode_str(s, i + 1, b & 0x1f) end
  if b == 0xc0 then return nil, i + 1 end
  if b == 0xc2 then return false, i + 1 end
  if b == 0xc3 then return true, i + 1 end
  if b == 0xc4 or b == 0xd9 then local n n, i = sunpack('B', s, i + 1) return decode_str(s, i, n) end
  if b == 0xc5 or b == 0xda then local n n, i = sunpack('>I2', s, i + 1) return decode_str(s, i, n) end
  if b == 0xc6 or b == 0xdb then local n n, i = sunpack('>I4', s, i + 1) return decode_str(s, i, n) end
  if b == 0xca then return sunpack('>f', s, i + 1) end
  if b == 0xcb then return sunpack('>d', s, i + 1) end
  if b == 0xcc then return sunpack('B', s, i + 1) end
  if b == 0xcd then return sunpack('>I2', s, i + 1) end
  if b == 0xce then return sunpack('>I4', s, i + 1) end
  if b == 0xcf then return sunpack('>i8', s, i + 1) end
  if b == 0xd0 then return sunpack('>i1', s, i + 1) end
  if b == 0xd1 then return sunpack('>i2', s, i + 1) end
  if b == 0xd2 then return sunpack('>i4', s, i + 1) end
  if b == 0xd3 then return sunpack('>i8', s, i + 1) end
  if b == 0xd4 then return skip_ext(3, i) end
  if b == 0xd5 then return skip_ext(4, i) end
  if b == 0xd6 then return skip_ext(6, i) end
  if b == 0xd7 then return skip_ext(10, i) end
  if b == 0xd8 then return skip_ext(18, i) end
  if b == 0xc7 then return skip_ext(3 + sbyte(s, i + 1), i) end
  if b == 0xc8 then return skip_ext(4 + sunpack('>I2', s, i + 1), i) end
  if b == 0xc9 then return skip_ext(6 + sunpack('>I4', s, i + 1), i) end
  error(string.format('msgpack byte 0x%02x is not supported', b), 0)
end

local function unpack_value(s)
  local v = decode(s, 1, 0)
  return v
end

-- Returns the values of a msgpack array as a Lua sequence and its length (UDF arguments).
local function unpack_args(s)
  local v = decode(s, 1, 0)
  if getmetatable(v) ~= List then error('argument list is not a msgpack array', 0) end
  return rawget(v, ITEMS), rawget(v, SIZE)
end

local encode
local function str_header(out, n)
  if n <= 31 then out[#out + 1] = schar(0xa0 | n)
  elseif n <= 0xff then out[#out + 1] = spack('BB', 0xd9, n)
  elseif n <= 0xffff then out[#out + 1] = spack('>BI2', 0xda, n)
  else out[#out + 1] = spack('>BI4', 0xdb, n) end
end
local function encode_int(out, v)
  if v >= 0 then
    if v <= 0x7f then out[#out + 1] = schar(v)
    elseif v <= 0xff then out[#out + 1] = spack('BB', 0xcc, v)
    elseif v <= 0xffff then out[#out + 1] = spack('>BI2', 0xcd, v)
    elseif v <= 0xffffffff then out[#out + 1] = spack('>BI4', 0xce, v)
    else out[#out + 1] = spack('>Bi8', 0xcf, v) end
  else
    if v >= -32 then out[#out + 1] = schar(v & 0xff)
    elseif v >= -128 then out[#out + 1] = spack('>Bi1', 0xd0, v)
    elseif v >= -32768 then out[#out + 1] = spack('>Bi2', 0xd1, v)
    elseif v >= -2147483648 then out[#out + 1] = spack('>Bi4', 0xd2, v)
    else out[#out + 1] = spack('>Bi8', 0xd3, v) end
  end
end
local function collection_header(out, small, mid, big, n)
  if n <= 15 then out[#out + 1] = schar(small | n)
  elseif n <= 0xffff then out[#out + 1] = spack('>BI2', mid, n)
  else out[#out + 1] = spack('>BI4', big, n) end
end

-- Values with no Aerospike type (functions, plain tables, records) encode as nil, as Aerospike's do.
encode = function(out, v, depth)
  if depth > MAX_DEPTH then error('value nested too deep', 0) end
  local t = type(v)
  if t == 'nil' then out[#out + 1] = '\xc0'
  elseif t == 'boolean' then out[#out + 1] = v and '\xc3' or '\xc2'
  elseif t == 'number' then
    if mtype(v) == 'integer' then encode_int(out, v) else out[#out + 1] = spack('>Bd', 0xcb, v) end
  elseif t == 'string' then str_header(out, #v + 1) out[#out + 1] = '\3' out[#out + 1] = v
  elseif t == 'table' then
    local mt = getmetatable(v)
    if mt == List then
      local items, n = rawget(v, ITEMS), rawget(v, SIZE)
      collection_header(out, 0x90, 0xdc, 0xdd, n)
      for i = 1, n do encode(out, items[i], depth + 1) end
    elseif mt == Map then
      local keys, values = rawget(v, KEYS), rawget(v, VALUES)
      collection_header(out, 0x80, 0xde, 0xdf, #keys)
      for i = 1, #keys do
        local k = keys[i]
        encode(out, k, depth + 1)
        encode(out, values[k], depth + 1)
      end
    elseif mt == Bytes then
      local s = rawget(v, DATA)
      str_header(out, #s + 1)
      out[#out + 1] = schar(rawget(v, BLOB_TYPE) & 0xff)
      out[#out + 1] = s
    elseif mt == GeoJSON then
      local s = rawget(v, DATA)
      str_header(out, #s + 1)
      out[#out + 1] = '\23'
      out[#out + 1] = s
    else
      out[#out + 1] = '\xc0'
    end
  else
    out[#out + 1] = '\xc0'
  end
end

local function pack_value(v)
  local out = {}
  encode(out, v, 0)
  return concat(out)
end

-- type() says 'userdata' for Aerospike's boxed values, as it does on Aerospike.
local function box_type(v)
  local t = type(v)
  if t == 'table' and BOXES[getmetatable(v)] then return 'userdata' end
  return t
end
`
