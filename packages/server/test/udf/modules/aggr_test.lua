-- Stream UDFs for the aggregation tests (server side and, through the client, its final reduce).

local function add(a, b) return a + b end

function count(stream)
  return stream : map(function(rec) return 1 end) : reduce(add)
end

function sum_bin(stream, bin)
  return stream : map(function(rec) return rec[bin] end) : reduce(add)
end

function evens(stream, bin)
  local function even(rec) return rec[bin] % 2 == 0 end
  local function value(rec) return rec[bin] end
  return stream : filter(even) : map(value)
end

function by_parity(stream, bin)
  local function value(rec) return rec[bin] end
  local function parity(v) if v % 2 == 0 then return 'even' end return 'odd' end
  return stream : map(value) : groupby(parity)
end

function stats(stream, bin)
  local function fold(acc, rec)
    acc['count'] = acc['count'] + 1
    acc['sum'] = acc['sum'] + rec[bin]
    return acc
  end
  local function merge(a, b) return map.merge(a, b, add) end
  return stream : aggregate(map { count = 0, sum = 0 }, fold) : reduce(merge)
end

function max_after_reduce(stream, bin)
  local function value(rec) return rec[bin] end
  local function bigger(a, b) if a > b then return a end return b end
  return stream : map(value) : reduce(bigger) : map(function(v) return v * 10 end)
end

function meta(stream)
  local function describe(rec)
    return map { gen = record.gen(rec), set = record.setname(rec), bins = #record.bin_names(rec), exists = aerospike:exists(rec) }
  end
  return stream : map(describe)
end

function try_update(stream)
  local function write(rec)
    rec['x'] = 1
    return aerospike:update(rec)
  end
  return stream : map(write) : reduce(add)
end

function logs(stream)
  local function note(rec)
    info('info %d', 1)
    warn('warn')
    debug('debug')
    trace('trace')
    return 1
  end
  return stream : map(note) : reduce(add)
end

function boom(stream)
  return stream : map(function(rec) error('boom') end)
end

function boom_early(stream)
  error('no stream today')
end

function forever(stream)
  local function spin(rec)
    while true do end
  end
  return stream : map(spin)
end

function hog(stream)
  local function grow(rec)
    local t = {}
    for i = 1, 1e9 do t[i] = string.rep('x', 1024) .. i end
  end
  return stream : map(grow)
end

function no_stream(stream)
  return 42
end

function records(stream)
  return stream
end
