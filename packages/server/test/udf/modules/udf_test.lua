-- Functions the UDF tests call: types, record access, errors and sandbox limits.
function ret(rec, v) return v end
function types(rec)
  local l = list{1, 'two', 3.5, true}
  list.append(l, bytes(0))
  local m = map{a = 1}
  m['l'] = l
  return m
end
function boom(rec) error('boom') end
function boom_table(rec) error({}) end
function loop(rec) while true do end end
function hog(rec) local t, i = {}, 0 while true do i = i + 1 t[i] = string.rep('x', 1000) .. i end end
function write_then_fail(rec) rec['a'] = 1 aerospike:update(rec) error('late') end
function meta(rec)
  return map{gen = record.gen(rec), ttl = record.ttl(rec), set = record.setname(rec), key = record.key(rec),
    n = record.numbins(rec), names = list(record.bin_names(rec)), digest = bytes.size(record.digest(rec))}
end
function touch_ttl(rec, ttl) record.set_ttl(rec, ttl) return aerospike:update(rec) end
function bytes_ops(rec) local b = bytes(8) bytes.set_int32_be(b, 1, 258) bytes.append_string(b, 'hi') return b end
function logs(rec) info('hello %s', 'world') warn('w') debug('d') trace('t') return 1 end
function geo(rec) return geojson('{"type":"Point","coordinates":[1,2]}') end
function incr(rec, bin, by)
  rec[bin] = (rec[bin] or 0) + by
  if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end
  return rec[bin]
end
function append_to(rec, bin, v)
  local l = rec[bin] or list()
  list.append(l, v)
  rec[bin] = l
  aerospike:update(rec)
  return list.size(l)
end
function map_sum(rec, bin)
  local total = 0
  for k, v in map.pairs(rec[bin]) do total = total + v end
  return total
end
function create_existing(rec) return aerospike:create(rec) end
function remove(rec) return aerospike:remove(rec) end
function set_without_update(rec) rec['ghost'] = 1 return 0 end
function sandbox(rec)
  return map{io = type(io), os_execute = type(os.execute), dofile = type(dofile), package = type(package), debug_lib = type(debug)}
end
function long_bin(rec) rec['a_bin_name_longer_than_15'] = 1 return aerospike:update(rec) end
