// Bounds of the UDF sandbox. A call that passes one fails with result 100 and a message; the node
// goes on serving. (Candidates for limits.ts once the config can set them.)
export const udfLimits = {
  /** Lua VM instructions one call may run (about 60 million a second under WebAssembly). */
  maxInstructionsPerCall: 20_000_000,
  /** Wall time one call may take, capped further by the request's own timeout. */
  maxCallMs: 1000,
  /** Bytes the VM may grow by during one call. */
  maxCallMemoryBytes: 32 * 1024 * 1024,
  /** The VM's memory never grows past this. */
  maxVmMemoryBytes: 256 * 1024 * 1024,
  /** Largest module source, as Aerospike's udf-put allows (1 MiB decoded). */
  maxModuleBytes: 1024 * 1024,
  /** Module file names are shorter than this, as Aerospike's are. */
  maxFileNameBytes: 128,
} as const
