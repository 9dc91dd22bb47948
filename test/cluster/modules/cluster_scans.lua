-- UDFs for the cluster scan tests: a record UDF for background scans, stream UDFs for aggregations
-- (run by the nodes, and by the client for the final reduce).

function bump(rec)
  rec['u'] = (rec['u'] or 0) + 1
  aerospike:update(rec)
end

local function add(a, b) return a + b end

function count(stream)
  return stream : map(function(rec) return 1 end) : reduce(add)
end

function sum_bin(stream, bin)
  return stream : map(function(rec) return rec[bin] end) : reduce(add)
end
