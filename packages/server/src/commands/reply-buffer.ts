// Single-record replies are cut from pools of 64 KiB instead of Node's shared 8 KiB one. Answering
// reads of 1 KiB records, Node's pool made a new ArrayBuffer (a malloc, a free, a sweep by the next
// scavenge) every seven replies. A pool is never reused: a reply still held (a slow client's, one
// waiting for its change to settle) only keeps its pool alive until it is written. Measured in
// bench/results/issue-15-performance.md (sixth pass).

const POOL_BYTES = 64 * 1024
/** Larger replies get memory of their own, so a pool serves many replies. */
const MAX_POOLED_BYTES = POOL_BYTES / 8

let pool = Buffer.alloc(0)
let used = 0

/** An uninitialised buffer of `bytes` for a reply frame. */
export function replyBuffer(bytes: number): Buffer {
  if (bytes > MAX_POOLED_BYTES) return Buffer.allocUnsafe(bytes)
  if (used + bytes > pool.length) {
    pool = Buffer.allocUnsafeSlow(POOL_BYTES)
    used = 0
  }
  const out = pool.subarray(used, used + bytes)
  // Replies start 8-byte aligned, as in Node's pool.
  used += (bytes + 7) & ~7
  return out
}
