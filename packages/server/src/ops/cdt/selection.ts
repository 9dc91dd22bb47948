// Index, count and rank arithmetic shared by list and map ops: how a signed index and an unsigned
// count select a run of elements (Aerospike's calc_index_count and calc_rel_index_count), binary
// searches over sorted elements, and value order among unsorted ones.
import { notApplicable } from './errors.ts'
import { compareElements } from './order.ts'
import type { ResultSpec } from './result.ts'

export interface Run {
  index: number
  count: number
}

const UINT32_MAX = 0xffffffffn

function countFrom(index: bigint, count: bigint, total: bigint): number {
  return Number(count >= total - index ? total - index : count)
}

/**
 * The run an index and count select among `total` elements. Ops that select any number of
 * elements clamp to the bounds; single-element ops get undefined when the index is out of range.
 */
export function selectRun(index: bigint, count: bigint, total: number, multi: boolean): Run | undefined {
  const n = BigInt(total)
  if (multi) {
    if (index >= n) return { index: total, count: 0 }
    const at = index < 0n ? n + index : index
    if (at < 0n) {
      if (-at < count) {
        const left = count + at
        return { index: 0, count: Number(left > n ? n : left) }
      }
      return { index: 0, count: 0 }
    }
    return { index: Number(at), count: countFrom(at, count, n) }
  }
  if (index >= n) return undefined
  const at = index < 0n ? n + index : index
  if (at < 0n) return undefined
  return { index: Number(at), count: countFrom(at, count, n) }
}

/**
 * An INVERTED selection of `run` among `total` elements, turned into a plain selection of the
 * elements outside it when those form one run (the run is empty or touches an end). The spec
 * stays inverted when the run sits inside, leaving elements on both of its sides.
 */
export function foldInverted(rs: ResultSpec, run: Run, total: number): { rs: ResultSpec; run: Run } {
  if (!rs.inverted) return { rs, run }
  if (!rs.multi) throw notApplicable('INVERTED is not supported for single-element ops')
  const plain = { ...rs, inverted: false }
  if (run.count === 0) return { rs: plain, run: { index: 0, count: total } }
  if (run.index === 0) return { rs: plain, run: { index: run.count, count: total - run.count } }
  if (run.index + run.count >= total) return { rs: plain, run: { index: 0, count: run.index } }
  return { rs, run }
}

/** An index and count taken relative to the rank or index `origin` of a value. */
export function relativeRun(index: bigint, count: bigint, origin: number): { index: bigint; count: bigint } {
  const at = index + BigInt(origin)
  if (at >= 0n) return { index: at, count }
  return { index: 0n, count: count > -at ? count + at : 0n }
}

/** Default count of range ops whose count is left out: everything to the end. */
export const TO_END = UINT32_MAX

/** First position whose element is not less than `value` in ascending `sorted`. */
export function lowerBound(sorted: readonly Buffer[], value: Buffer, from = 0): number {
  let lo = from
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareElements(sorted[mid]!, value) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First position whose element is greater than `value` in ascending `sorted`. */
export function upperBound(sorted: readonly Buffer[], value: Buffer, from = 0): number {
  let lo = from
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareElements(sorted[mid]!, value) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** How many elements are less than `value`: its rank among unsorted elements. */
export function countLess(elements: readonly Buffer[], value: Buffer): number {
  let n = 0
  for (const e of elements) if (compareElements(e, value) < 0) n++
  return n
}

/** Element positions in value order; equal values keep their positions' order. */
export function valueOrder(elements: readonly Buffer[]): number[] {
  const order = elements.map((_, i) => i)
  order.sort((a, b) => compareElements(elements[a]!, elements[b]!) || a - b)
  return order
}

/** Positions whose mask bit is set, ascending. */
export function maskIndexes(mask: readonly boolean[]): number[] {
  const out: number[] = []
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i)
  return out
}

/**
 * The positions of ranks [start, start + count) of `total` elements, selected the way Aerospike's
 * order heap does (order_heap_init_build_by_range): a min-heap when the run is nearer the low
 * end, a max-heap otherwise, popping up to the run. The order of the returned positions (and,
 * among equal values, which positions) is the heap's: descending for a min-heap, ascending for a
 * max-heap. Clients see this order in rank-range results of unordered lists.
 */
export function heapSelect(total: number, start: number, count: number, compare: (a: number, b: number) => number): number[] {
  const tail = total - start - count
  const minHeap = start <= tail
  const wanted = minHeap ? -1 : 1
  const discard = minHeap ? start : tail
  const heap = Array.from({ length: total }, (_, i) => i)
  let filled = total
  const sift = (from: number): void => {
    let index = from
    for (;;) {
      const left = 2 * index + 1
      const right = left + 1
      if (left >= filled) return
      let child = left
      if (right < filled) {
        const c = compare(heap[left]!, heap[right]!)
        child = c === wanted || c === 0 ? left : right
      }
      if (compare(heap[child]!, heap[index]!) !== wanted) return
      const swap = heap[index]!
      heap[index] = heap[child]!
      heap[child] = swap
      index = child
    }
  }
  for (let i = Math.floor(filled / 2) - 1; i >= 0; i--) sift(i)
  for (let i = 0; i < count + discard; i++) {
    const top = heap[0]!
    heap[0] = heap[filled - 1]!
    filled--
    sift(0)
    heap[filled] = top
  }
  return heap.slice(filled, filled + count)
}
