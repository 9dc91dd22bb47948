// How this node names itself. `build` must stay an Aerospike version: clients pick protocol
// features from it (>= 6.0 batch-any and partition queries, >= 8.1 the new sindex/job syntax).
export const AEROSPIKE_COMPATIBLE_BUILD = '8.1.1.2'
export const AEROLITE_VERSION = '0.1.0'
export const EDITION = 'Aerolite Community Edition'

export const FEATURES = [
  'batch-any', 'batch-index', 'blob-bits', 'cdt-index', 'cdt-list', 'cdt-map', 'cluster-stable', 'float', 'geo',
  'sindex-exists', 'peers', 'pipelining', 'pquery', 'pscans', 'query-show', 'relaxed-sc', 'replicas', 'replicas-all',
  'replicas-master', 'replicas-max', 'truncate-namespace', 'udf',
]
