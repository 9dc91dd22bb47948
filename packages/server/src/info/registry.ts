// The info command table: one handler per command name, looked up by the name before ':' or '/'.
import { formatInfoResponse, infoError, parseInfoCommand, parseInfoRequest, type InfoAnswer, type InfoCommand } from '@aerolite/protocol'
import { PARTITION_COUNT } from '@aerolite/protocol'
import type { NodeContext } from './context.ts'
import { getConfig, setConfig } from './config-info.ts'
import { binsInfo, namespaceInfo, setsInfo } from './namespace-info.ts'
import { replicas, replicasAll, replicasMaster } from './replicas.ts'
import { clusterStable, peersAnswer, racksAnswer, replicasAnswer } from './cluster-info.ts'
import { nodeStatistics } from './statistics.ts'
import { truncate, truncateNamespace } from './truncate-info.ts'
import { quiesce, quiesceUndo, recluster } from './quiesce-info.ts'
import { jobsInfo, queryAbort, queryAbortAll, queryShow, scanShow } from '../commands/jobs.ts'
import { sindexCreate, sindexDelete, sindexExists, sindexList, sindexPath, sindexStat } from './sindex-info.ts'
import { AEROLITE_VERSION, AEROSPIKE_COMPATIBLE_BUILD, EDITION, FEATURES } from './version.ts'
import { udfGet, udfList, udfPut, udfPutShared, udfRemove, udfRemoveShared } from '../udf/udf-info.ts'

/** A string now, or a promise when the answer waits (a cluster metadata change being applied). */
type InfoHandler = (ctx: NodeContext, cmd: InfoCommand) => string | Promise<string>

const service = (alternate: boolean) => (ctx: NodeContext): string => {
  const { host, port } = alternate ? ctx.alternateServiceEndpoint() : ctx.serviceEndpoint()
  return `${host}:${port}`
}

/** "<generation>,<default port>,[peers]": none for a single node. */
const peers = (alternate: boolean) => (ctx: NodeContext): string => {
  if (ctx.cluster !== undefined) return peersAnswer(ctx, ctx.cluster, alternate)
  return `${ctx.peersGeneration()},${(alternate ? ctx.alternateServiceEndpoint() : ctx.serviceEndpoint()).port},[]`
}

const replicasOf = (form: 'replicas' | 'replicas-all' | 'replicas-master') => (ctx: NodeContext): string => {
  if (ctx.cluster !== undefined) return replicasAnswer(ctx, ctx.cluster, form)
  return form === 'replicas' ? replicas(ctx) : form === 'replicas-all' ? replicasAll(ctx) : replicasMaster(ctx)
}

const HANDLERS: Record<string, InfoHandler> = {
  'node': (ctx) => ctx.nodeId,
  'build': () => AEROSPIKE_COMPATIBLE_BUILD,
  'build_os': () => process.platform,
  'build_time': () => '',
  'edition': () => EDITION,
  'version': () => `${EDITION} build ${AEROSPIKE_COMPATIBLE_BUILD} (aerolite ${AEROLITE_VERSION})`,
  'features': () => FEATURES.join(';'),
  'status': () => 'ok',
  'partitions': () => String(PARTITION_COUNT),
  'partition-generation': (ctx) => String(ctx.partitionGeneration()),
  'peers-generation': (ctx) => String(ctx.peersGeneration()),
  'rebalance-generation': (ctx) => String(ctx.cluster?.rebalanceGeneration ?? 0),
  'cluster-generation': () => '1',
  'cluster-name': (ctx) => ctx.config.service.clusterName === '' ? 'null' : ctx.config.service.clusterName,
  'cluster-stable': (ctx, cmd) => {
    if (ctx.cluster !== undefined) return clusterStable(ctx.cluster, cmd)
    const size = cmd.params.get('size')
    if (size !== undefined && size !== '1') return infoError(4, `cluster size is 1, not ${size}`)
    return ctx.nodeId
  },
  'peers-clear-std': peers(false),
  'peers-clear-alt': peers(true),
  // No TLS listener: no peer is reachable over TLS.
  'peers-tls-std': (ctx) => `${ctx.peersGeneration()},${ctx.serviceEndpoint().port},[]`,
  'peers-tls-alt': (ctx) => `${ctx.peersGeneration()},${ctx.serviceEndpoint().port},[]`,
  'alumni-clear-std': (ctx) => `${ctx.peersGeneration()},${ctx.serviceEndpoint().port},[]`,
  'alumni-tls-std': (ctx) => `${ctx.peersGeneration()},${ctx.serviceEndpoint().port},[]`,
  'service': service(false),
  'service-clear-std': service(false),
  'service-clear-alt': service(true),
  'service-tls-std': () => '',
  'service-tls-alt': () => '',
  'services': () => '',
  'services-alumni': () => '',
  'services-alternate': () => '',
  'replicas': replicasOf('replicas'),
  'replicas-all': replicasOf('replicas-all'),
  'replicas-master': replicasOf('replicas-master'),
  'rack-ids': (ctx) => [...ctx.namespaces.values()].map((ns) => `${ns.name}:${ns.config.rackId}`).join(';'),
  'racks': (ctx) => racksAnswer(ctx),
  'namespaces': (ctx) => [...ctx.namespaces.keys()].join(';'),
  'namespace': (ctx, cmd) => namespaceInfo(ctx, cmd.path[0]),
  'sets': (ctx, cmd) => setsInfo(ctx, cmd.path),
  'bins': (ctx, cmd) => binsInfo(ctx, cmd.path),
  'statistics': (ctx) => nodeStatistics(ctx),
  'latencies': (ctx, cmd) => ctx.latencySlices.info(cmd),
  'get-config': getConfig,
  'xdr-set-filter': (ctx, cmd) => ctx.xdr.setFilter(cmd),
  'get-stats': (ctx, cmd) => cmd.params.get('context') === 'xdr' ? ctx.xdr.statsAnswer(cmd) : infoError(4, `get-stats context "${cmd.params.get('context') ?? ''}" is not supported (allowed: xdr)`),
  'set-config': setConfig,
  'truncate': truncate,
  'truncate-namespace': truncateNamespace,
  'quiesce': quiesce,
  'quiesce-undo': quiesceUndo,
  'recluster': recluster,
  'truncate-undo': () => 'ok',
  'truncate-namespace-undo': () => 'ok',
  'user-agent-set': () => 'ok',
  'health-outliers': () => '',
  'health-stats': () => '',
  'best-practices': () => '',
  'logs': () => '0:stderr',
  'udf-put': (ctx, cmd) => ctx.clusterMetadata === undefined ? udfPut(ctx.udf, cmd) : udfPutShared(ctx.udf, ctx.clusterMetadata, cmd),
  'udf-get': (ctx, cmd) => udfGet(ctx.udf, cmd),
  'udf-list': (ctx) => udfList(ctx.udf),
  'udf-remove': (ctx, cmd) => ctx.clusterMetadata === undefined ? udfRemove(ctx.udf, cmd) : udfRemoveShared(ctx.clusterMetadata, cmd),
  'sindex': sindexPath,
  'sindex-list': sindexList,
  'sindex-create': sindexCreate,
  'sindex-delete': sindexDelete,
  'sindex-exists': sindexExists,
  'sindex-stat': sindexStat,
  'query-show': queryShow,
  'scan-show': scanShow,
  'query-abort': queryAbort,
  'scan-abort': queryAbort,
  'query-abort-all': queryAbortAll,
  'scan-abort-all': queryAbortAll,
  'jobs': jobsInfo,
}

/** The items an empty request (the "summary") returns, as Aerospike's does. */
const SUMMARY = ['node', 'build', 'edition', 'version', 'statistics', 'cluster-name', 'partition-generation', 'features']

/**
 * Answers each line of the request in order. Most answers are ready at once; once one must wait,
 * the lines after it wait for it too (a udf-list after a udf-put sees the module), and the whole
 * answer comes as a promise.
 */
export function answerInfo(ctx: NodeContext, body: Buffer): Buffer | Promise<Buffer> {
  const lines = parseInfoRequest(body)
  const asked = lines.length > 0 ? lines : SUMMARY
  const answers: InfoAnswer[] = []
  for (let i = 0; i < asked.length; i++) {
    const value = answerLine(ctx, asked[i]!)
    if (typeof value !== 'string') return answerRestLater(ctx, asked, i, value, answers)
    answers.push({ line: asked[i]!, value })
  }
  return formatInfoResponse(answers)
}

async function answerRestLater(ctx: NodeContext, asked: readonly string[], waiting: number, value: Promise<string>, answers: InfoAnswer[]): Promise<Buffer> {
  answers.push({ line: asked[waiting]!, value: await value })
  for (let i = waiting + 1; i < asked.length; i++) answers.push({ line: asked[i]!, value: await answerLine(ctx, asked[i]!) })
  return formatInfoResponse(answers)
}

function answerLine(ctx: NodeContext, line: string): string | Promise<string> {
  const cmd = parseInfoCommand(line)
  const handler = Object.hasOwn(HANDLERS, cmd.name) ? HANDLERS[cmd.name] : undefined
  if (handler === undefined) return infoError(4, 'unrecognized command')
  return handler(ctx, cmd)
}

export function knownInfoCommands(): string[] {
  return Object.keys(HANDLERS)
}
