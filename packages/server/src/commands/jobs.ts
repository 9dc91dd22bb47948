// Background scan and query jobs as the job info commands see them: query-show[:id=], scan-show,
// jobs:module=..;cmd=get-job|kill-job;trid=, query-abort / scan-abort:id=, query-abort-all.
// A node keeps its running jobs and the last few finished ones, per namespace.
import { ResultCode, infoError, type Clock, type InfoCommand } from '@aerolite/protocol'
import type { NodeContext } from '../info/context.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { limits } from '../limits.ts'

export type JobModule = 'query' | 'scan'

export class Job {
  readonly trid: bigint
  readonly module: JobModule
  readonly namespace: Namespace
  readonly setName: string
  readonly indexName: string
  /** background-ops or background-udf. */
  readonly jobType: string
  readonly recordsPerSecond: number
  private readonly clock: Clock
  readonly startedMs: number
  /** When the job finished; -1 while it runs. */
  finishedMs = -1
  /** Result code of an abandoned job; 0 while it runs or once it completed. */
  abandoned = 0
  progressPct = 0
  succeeded = 0
  failed = 0
  filtered = 0

  constructor(init: { trid: bigint; module: JobModule; namespace: Namespace; setName: string; indexName: string; jobType: string; recordsPerSecond: number; clock: Clock }) {
    this.trid = init.trid
    this.module = init.module
    this.namespace = init.namespace
    this.setName = init.setName
    this.indexName = init.indexName
    this.jobType = init.jobType
    this.recordsPerSecond = init.recordsPerSecond
    this.clock = init.clock
    this.startedMs = init.clock.monotonicMs()
  }

  get done(): boolean {
    return this.finishedMs >= 0
  }

  finish(abandoned = 0): void {
    if (this.done) return
    this.abandoned = abandoned
    if (abandoned === 0) this.progressPct = 100
    this.finishedMs = this.clock.monotonicMs()
  }

  /** Fields as Aerospike's query-show lists them, ':'-separated. */
  info(): string {
    const now = this.clock.monotonicMs()
    const outcome = this.abandoned === 0 ? 'ok' : this.abandoned === ResultCode.SCAN_ABORT! ? 'user-abort' : `error-${this.abandoned}`
    const parts = [`trid=${this.trid}`, `job-type=${this.jobType}`, `ns=${this.namespace.name}`]
    if (this.setName !== '') parts.push(`set=${this.setName}`)
    if (this.indexName !== '') parts.push(`sindex-name=${this.indexName}`)
    parts.push(
      `rps=${this.recordsPerSecond}`, 'active-threads=0', `status=${this.done ? 'done' : 'active'}(${outcome})`,
      `job-progress=${this.progressPct.toFixed(2)}`, `run-time=${Math.round((this.done ? this.finishedMs : now) - this.startedMs)}`,
      `time-since-done=${this.done ? Math.round(now - this.finishedMs) : 0}`, 'recs-throttled=0', `recs-filtered-meta=${this.filtered}`,
      'recs-filtered-bins=0', `recs-succeeded=${this.succeeded}`, `recs-failed=${this.failed}`,
    )
    return parts.join(':')
  }
}

const TABLES = new WeakMap<Namespace, Map<bigint, Job>>()

function tableOf(namespace: Namespace): Map<bigint, Job> {
  let table = TABLES.get(namespace)
  if (table === undefined) {
    table = new Map()
    TABLES.set(namespace, table)
  }
  return table
}

/** Jobs of a namespace still running. */
export function runningJobsOf(namespace: Namespace): number {
  let running = 0
  for (const job of tableOf(namespace).values()) if (!job.done) running++
  return running
}

/** Records a new job, forgetting the oldest finished ones past the limit. */
export function registerJob(job: Job): void {
  const table = tableOf(job.namespace)
  table.set(job.trid, job)
  const finished = [...table.values()].filter((j) => j.done)
  for (let i = 0; i < finished.length - limits.maxFinishedJobs; i++) table.delete(finished[i]!.trid)
}

function allJobs(ctx: NodeContext, module: JobModule | undefined): Job[] {
  const out: Job[] = []
  for (const ns of ctx.namespaces.values()) for (const job of tableOf(ns).values()) if (module === undefined || job.module === module) out.push(job)
  return out
}

/** The job an id names; a string is the ERROR reply. */
function jobOf(ctx: NodeContext, idText: string | undefined): Job | string {
  if (idText === undefined || !/^\d+$/.test(idText) || BigInt(idText) === 0n) return infoError(ResultCode.PARAMETER_ERROR, 'bad id')
  const trid = BigInt(idText)
  for (const ns of ctx.namespaces.values()) {
    const job = tableOf(ns).get(trid)
    if (job !== undefined) return job
  }
  return infoError(ResultCode.RECORD_NOT_FOUND, 'job not found')
}

const idParam = (cmd: InfoCommand): string | undefined => cmd.params.get('id') ?? cmd.params.get('trid')

function show(ctx: NodeContext, cmd: InfoCommand, module: JobModule | undefined): string {
  const id = idParam(cmd)
  if (id === undefined) return allJobs(ctx, module).map((job) => job.info()).join(';')
  const job = jobOf(ctx, id)
  return typeof job === 'string' ? job : job.info()
}

function abort(ctx: NodeContext, id: string | undefined): string {
  const job = jobOf(ctx, id)
  if (typeof job === 'string') return job
  job.finish(ResultCode.SCAN_ABORT!)
  return 'OK'
}

export const queryShow = (ctx: NodeContext, cmd: InfoCommand): string => show(ctx, cmd, undefined)
export const scanShow = (ctx: NodeContext, cmd: InfoCommand): string => show(ctx, cmd, undefined)
export const queryAbort = (ctx: NodeContext, cmd: InfoCommand): string => abort(ctx, idParam(cmd))

export function queryAbortAll(ctx: NodeContext): string {
  const running = allJobs(ctx, undefined).filter((job) => !job.done)
  for (const job of running) job.finish(ResultCode.SCAN_ABORT!)
  return `OK - number of queries killed: ${running.length}`
}

/** jobs:module=query|scan;cmd=get-job|kill-job;trid=<id>, or jobs[:module=..] for all. */
export function jobsInfo(ctx: NodeContext, cmd: InfoCommand): string {
  const moduleText = cmd.params.get('module')
  if (moduleText !== undefined && moduleText !== 'query' && moduleText !== 'scan') return infoError(ResultCode.PARAMETER_ERROR, 'bad module')
  const module = moduleText as JobModule | undefined
  switch (cmd.params.get('cmd')) {
    case undefined:
    case 'get-jobs':
      return allJobs(ctx, module).map((job) => job.info()).join(';')
    case 'get-job':
      return show(ctx, cmd, module)
    case 'kill-job':
      return abort(ctx, idParam(cmd))
  }
  return infoError(ResultCode.PARAMETER_ERROR, 'bad cmd')
}
