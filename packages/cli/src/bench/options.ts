// `aerolite bench` options: parsed and checked before anything connects; a bad value is one line
// naming the flag, the value and what is allowed.
import { UsageError, parseArgs } from '../args.ts'
import { parseBinSpec, type BinSpec } from './bin-spec.ts'

export type Workload =
  | { kind: 'insert' }
  | { kind: 'read-update'; readPercent: number }
  | { kind: 'read-modify-write'; readPercent: number }

export type Distribution = { kind: 'uniform' } | { kind: 'hot'; opsPercent: number; keysPercent: number }

export interface BenchOptions {
  host: string
  port: number
  namespace: string
  set: string
  workload: Workload
  keys: number
  keyStart: number
  bins: BinSpec[]
  distribution: Distribution
  connections: number
  inflight: number
  /** Stop after this long; undefined = no time limit (insert runs end when the range is written). */
  durationSeconds: number | undefined
  /** Stop after this many operations; undefined = no count limit. */
  ops: number | undefined
  /** Operations per second to aim at; 0 = as fast as the server answers. */
  ratePerSecond: number
  timeoutMs: number
  sendKey: boolean
  seed: number
  jsonFile: string | undefined
  /** A server process on this machine whose CPU time per operation to report (Linux /proc). */
  serverPid: number | undefined
  help: boolean
}

export const BENCH_USAGE = `usage: aerolite bench [options]

Load generator for any Aerospike-compatible server (Aerolite or Aerospike itself): pre-encoded
requests, routed to each key's master node from the partition map.

  --host H              seed node address (default 127.0.0.1)
  --port N              seed node port (default 3000)
  --namespace NS        namespace (default test)
  --set NAME            set name (default testset)
  --workload W          I            insert every key of the range once, then stop
                        RU,<read%>   reads (all bins) and updates (all bins) (default RU,50)
                        RMW[,<read%>] reads and read-modify-writes (one operate: increment
                                     integer bins, write the others, read them back)
  --keys N              number of keys (default 100000)
  --key-start N         first integer key (default 1)
  --bins SPEC           bins of each record: I (integer), S<bytes> (string), B<bytes> (blob),
                        comma-separated, named bin1, bin2, ... (default B1024)
  --distribution D      uniform, or hot[,<ops%>,<keys%>]: ops% of the operations go to the first
                        keys% of the keys (hot = hot,90,10) (default uniform)
  --connections N       connections per node (default 16)
  --inflight N          commands in flight per connection (default 1)
  --duration S          stop after S seconds (default 10 for RU and RMW; none for I)
  --ops N               stop after N operations
  --rate N              aim at N operations per second (default 0 = as fast as possible)
  --timeout MS          a command unanswered after MS ms counts as a timeout and its
                        connection is replaced (default 1000)
  --send-key            send and store the user key with each write
  --seed N              seed of the key and value generator (default 1)
  --json FILE           write every figure to FILE as JSON
  --server-pid PID      report CPU time per operation of this local server process (Linux)

Prints one line per second (reads/s, writes/s, errors, timeouts, p50/p99 in ms), then a summary
with p50, p90, p99, p99.9 and max latency. Exits 1 if it cannot reach the cluster.
`

const VALUE_FLAGS = [
  'host', 'port', 'namespace', 'set', 'workload', 'keys', 'key-start', 'bins', 'distribution', 'connections', 'inflight',
  'duration', 'ops', 'rate', 'timeout', 'seed', 'json', 'server-pid',
] as const
const MAX_CONNECTIONS = 10_000
const MAX_INFLIGHT = 1000
/** Each command in flight owns pre-encoded requests; this bounds their memory. */
const MAX_COMMANDS_IN_FLIGHT = 100_000
/** Integer keys are sent as int64; stay where doubles are exact. */
const MAX_KEY = Number.MAX_SAFE_INTEGER

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const args = parseArgs(argv, { values: VALUE_FLAGS, switches: ['help', 'send-key'] })
  if (args.positional.length > 0) throw new UsageError(`bench takes no arguments, got "${args.positional[0]}"`)
  const flag = (name: (typeof VALUE_FLAGS)[number]): string | undefined => args.flags.get(name)
  const workload = parseWorkload(flag('workload') ?? 'RU,50')
  const keys = integer('keys', flag('keys') ?? '100000', 1, 2 ** 32)
  const keyStart = integer('key-start', flag('key-start') ?? '1', 0, MAX_KEY)
  if (keyStart > MAX_KEY - (keys - 1)) throw new UsageError(`--key-start ${keyStart} with --keys ${keys} goes past ${MAX_KEY}`)
  const durationText = flag('duration')
  const opsText = flag('ops')
  let durationSeconds = durationText === undefined ? undefined : positiveNumber('duration', durationText, 'seconds')
  const ops = opsText === undefined ? undefined : integer('ops', opsText, 1, MAX_KEY)
  if (durationSeconds === undefined && ops === undefined && workload.kind !== 'insert') durationSeconds = 10
  const connections = integer('connections', flag('connections') ?? '16', 1, MAX_CONNECTIONS)
  const inflight = integer('inflight', flag('inflight') ?? '1', 1, MAX_INFLIGHT)
  if (connections * inflight > MAX_COMMANDS_IN_FLIGHT) throw new UsageError(`--connections ${connections} times --inflight ${inflight} is more than ${MAX_COMMANDS_IN_FLIGHT} commands in flight`)
  return {
    host: nonEmpty('host', flag('host') ?? '127.0.0.1'),
    port: integer('port', flag('port') ?? '3000', 1, 65535),
    namespace: name('namespace', flag('namespace') ?? 'test', 31, false),
    set: name('set', flag('set') ?? 'testset', 63, true),
    workload,
    keys,
    keyStart,
    bins: bins(flag('bins') ?? 'B1024'),
    distribution: parseDistribution(flag('distribution') ?? 'uniform'),
    connections,
    inflight,
    durationSeconds,
    ops,
    ratePerSecond: integer('rate', flag('rate') ?? '0', 0, 100_000_000),
    timeoutMs: integer('timeout', flag('timeout') ?? '1000', 1, 3_600_000),
    sendKey: args.switches.has('send-key'),
    seed: integer('seed', flag('seed') ?? '1', 0, 4294967295),
    jsonFile: flag('json') === undefined ? undefined : nonEmpty('json', flag('json')!),
    serverPid: flag('server-pid') === undefined ? undefined : integer('server-pid', flag('server-pid')!, 1, 4194304),
    help: args.switches.has('help'),
  }
}

function parseWorkload(text: string): Workload {
  if (text === 'I') return { kind: 'insert' }
  if (text === 'RMW') return { kind: 'read-modify-write', readPercent: 0 }
  const match = /^(RU|RMW),(.*)$/.exec(text)
  if (match === null) throw new UsageError(`--workload "${text}" is not I, RU,<read%> or RMW[,<read%>]`)
  const readPercent = percent(match[2]!)
  if (readPercent === undefined) throw new UsageError(`--workload "${text}": the read percentage must be a number from 0 to 100`)
  return match[1] === 'RU' ? { kind: 'read-update', readPercent } : { kind: 'read-modify-write', readPercent }
}

function parseDistribution(text: string): Distribution {
  if (text === 'uniform') return { kind: 'uniform' }
  if (text === 'hot') return { kind: 'hot', opsPercent: 90, keysPercent: 10 }
  const match = /^hot,([^,]*),([^,]*)$/.exec(text)
  if (match === null) throw new UsageError(`--distribution "${text}" is not uniform, hot or hot,<ops%>,<keys%>`)
  const opsPercent = percent(match[1]!)
  const keysPercent = percent(match[2]!)
  if (opsPercent === undefined || keysPercent === undefined || keysPercent === 0) {
    throw new UsageError(`--distribution "${text}": ops% must be 0..100 and keys% more than 0 and at most 100`)
  }
  return { kind: 'hot', opsPercent, keysPercent }
}

function bins(text: string): BinSpec[] {
  const parsed = parseBinSpec(text)
  if (typeof parsed === 'string') throw new UsageError(`--bins "${text}": ${parsed}`)
  return parsed
}

function percent(text: string): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined
  const value = Number(text)
  return value <= 100 ? value : undefined
}

function integer(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${flag} "${text}" is not an integer from ${min} to ${max}`)
  return Number(text)
}

function positiveNumber(flag: string, text: string, unit: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) === 0) throw new UsageError(`--${flag} "${text}" is not a positive number of ${unit}`)
  return Number(text)
}

function nonEmpty(flag: string, text: string): string {
  if (text.length === 0) throw new UsageError(`--${flag} needs a non-empty value`)
  return text
}

function name(flag: string, text: string, maxBytes: number, emptyAllowed: boolean): string {
  const bytes = Buffer.byteLength(text)
  if ((bytes === 0 && !emptyAllowed) || bytes > maxBytes) throw new UsageError(`--${flag} "${text}" must be ${emptyAllowed ? 0 : 1} to ${maxBytes} bytes`)
  return text
}
