// How scans, queries, aggregations and background jobs walk a request's partitions: the order of
// the partitions, the live records of one in digest order, and what a walk yields.
import type { Namespace } from '../namespace/namespace.ts'
import type { PartitionRequest, ResumePoint } from './partition-request.ts'

export interface ScanControl {
  /** True once the client went away: the scan stops at the next record. */
  aborted(): boolean
}

/** A record the walk found, and the index value it was found under (queries). */
export interface Candidate {
  id: number
  bval: bigint | undefined
}

/** The candidates of one partition after a resume point, read synchronously (so they are current). */
export type PartitionWalk = (pid: number, resume: ResumePoint | undefined) => Candidate[]

/** Whole partitions first, then resumed ones, as the client lists them. */
export function scanOrder(req: PartitionRequest): Array<[number, ResumePoint | undefined]> {
  return [...req.fullPartitions.map((pid): [number, undefined] => [pid, undefined]), ...req.resume]
}

/** Live entries of a partition in digest order, after the resume digest if one is given. */
export function partitionEntries(namespace: Namespace, pid: number, after: Buffer | undefined): number[] {
  return namespace.liveEntriesInDigestOrder(pid, after)
}
