// Which partitions a scan, query, aggregation or background job walks on this node. In a cluster a
// node returns (or changes) the records of the partitions it acts as master for, so each record is
// walked once across the nodes. Two kinds of request:
//   - a partition list (PID_ARRAY / DIGEST_ARRAY: foreground scans and queries of the official
//     clients): a partition this node does not master now is answered with a pid-done marker carrying
//     PARTITION_UNAVAILABLE (11). The clients' partition trackers (C as_partition_tracker_part_unavailable,
//     Go partitionTracker.partitionUnavailable) then retry it, after the last digest they received
//     from it, on the node their refreshed map names. Mastership is checked when the partition's walk
//     starts and again each time the walk goes on after a pause (a frame sent, a throttle wait), so a
//     partition whose master moves mid-walk is ended there and resumed on the new master: never twice,
//     never missed.
//   - the whole namespace (no partition list: background jobs, aggregations, old clients' scans): the
//     clients keep no partition tracker for these, and take a pid-done marker with a result code as a
//     failure of the whole request (C aerospike_query.c: markers are read only with a tracker). A node
//     walks the partitions it masters, skips the others silently, and waits (bounded) on partitions
//     whose mastership is not known yet. Mastership is checked when each partition's walk starts, and
//     a partition started is finished here; a master that moves mid-walk may let the new master walk
//     it too, or neither (as with Aerospike, these requests carry no resume point).
import { Info3, ResultCode } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { PartitionRequest } from './partition-request.ts'
import { sleep } from './record-stream.ts'
import { controlMessage } from './stream-frames.ts'

/**
 * How this node stands to a partition: 'here' (it acts as master and serves the partition's
 * records), 'elsewhere' (another node does), 'unsettled' (not known yet: the view's partition plans
 * are being computed, or this node gathers the partition's copies before it serves it).
 */
export type PartitionMastery = 'here' | 'elsewhere' | 'unsettled'

/** What the cluster tells multi-record commands; absent on a node that is in no cluster (it masters every partition). */
export interface PartitionOwnership {
  partitionMastery(namespace: string, pid: number): PartitionMastery
}

/** What a walk does with a partition now: walk it, answer it as not done (the client retries it), skip it, or wait for it to settle. */
export type PartitionTurn = 'walk' | 'unavailable' | 'skip' | 'wait'

/** The turn of a partition when its walk is to start. */
export function partitionTurn(req: PartitionRequest, pid: number): PartitionTurn {
  if (req.ownership === undefined) return 'walk'
  const mastery = req.ownership.partitionMastery(req.namespace.name, pid)
  if (mastery === 'here') return 'walk'
  if (req.wholeNamespace) return mastery === 'elsewhere' ? 'skip' : 'wait'
  return 'unavailable'
}

/**
 * Whether a partition's walk may go on after a pause. A listed partition stops once this node no
 * longer masters it (the client resumes it on the new master); a whole-namespace walk finishes what it started.
 */
export function mayContinue(req: PartitionRequest, pid: number): boolean {
  if (req.ownership === undefined || req.wholeNamespace) return true
  return req.ownership.partitionMastery(req.namespace.name, pid) === 'here'
}

/** Waits (bounded by maxWaitForPlanMs) until an unsettled partition is settled: 'walk', 'skip', or 'timeout'. */
export async function settledTurn(req: PartitionRequest, pid: number): Promise<'walk' | 'skip' | 'timeout'> {
  const { clock, scheduler } = req.namespace.env
  const deadline = clock.monotonicMs() + limits.maxWaitForPlanMs
  for (;;) {
    const turn = partitionTurn(req, pid)
    if (turn === 'walk' || turn === 'skip') return turn
    if (clock.monotonicMs() >= deadline) return 'timeout'
    await sleep(scheduler, limits.partitionSettlePollMs)
  }
}

/** The pid-done marker that tells the client to retry a partition on another node. */
export function partitionUnavailable(pid: number): Buffer {
  return controlMessage(Info3.PARTITION_DONE, ResultCode.PARTITION_UNAVAILABLE, pid)
}
