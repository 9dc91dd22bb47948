// Memory the garbage collector does not count. V8 counts every ArrayBuffer's bytes as external
// memory, and what that grew by since the last Mark-Compact as old-generation allocation when it
// decides to start the next one. Under load a node's write blocks grow with its data (~38 MB/s in
// the RU,50 benchmark until defrag catches up), so a node started a Mark-Compact every ~0.6 s that
// could free nothing: 16 in 10 s at 1M keys, pauses up to 5.6 ms. V8 does not count the bytes of a
// SharedArrayBuffer (isolates may share it), so blocks allocated here start none: 1 in the same
// run (bench/results/issue-15-performance.md, sixth pass).
//
// Nothing makes the collector reclaim such memory soon once it is unreachable: use it only for
// buffers that are kept and reused for the life of their owner, never for ones dropped as they go.

/** A buffer of `bytes` that V8's heap limits do not see. */
export function allocateUntracked(bytes: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(bytes))
}
