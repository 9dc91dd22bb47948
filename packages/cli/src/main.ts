// `aerolite <command>`: start, info, bench, help, version.
import { parseInfoResponse } from '@aerolite/protocol'
import { AEROLITE_VERSION } from './version.ts'
import type { StartOptions } from '@aerolite/server'
import { UsageError, parseArgs, parsePort, withEnvironment, type ParsedArgs } from './args.ts'
import { requestInfo } from './info-request.ts'

const USAGE = `usage: aerolite <command> [options]

commands:
  start   run a node (embedded defaults: namespace "test" in memory on 127.0.0.1:3000)
  info    send info commands to a node, like asinfo
  bench   load generator for any Aerospike-compatible server, like asbench
  cluster up | down: a local cluster of etcd and N node processes
  deploy  global-lb: an HAProxy entry point that fails over between regions;
          cloud: the files and steps that deploy a cluster on EKS, AKS or GKE
  operator  the Kubernetes operator of AeroliteCluster resources (in its pod)

  aerolite <command> --help   options of one command
  aerolite --version          print the version
`

const START_USAGE = `usage: aerolite start [--port N] [--address A] [--config FILE] [--namespace NAME] [--log-level L]
                     [--etcd HOST:PORT] [--fabric-port N] [--rack-id N] [--http-port N] [--cluster-name NAME]
                     [--access-address A] [--access-port N] [--alternate-access-address A] [--alternate-access-port N]

  --port N          service port (default 3000; 0 = any free port)
  --address A       address to listen on (default 127.0.0.1; "any" = all interfaces)
  --config FILE     an aerospike.conf-style file (service, logging, network, namespace blocks)
  --namespace NAME  serve one in-memory namespace NAME instead of the configured ones
  --log-level L     trace, debug, info, warn, error, fatal or silent (default info)
  --etcd HOST:PORT  cluster membership through this etcd (repeat, or separate with commas, per member)
  --fabric-port N   node-to-node port (default 3001; 0 = any free port)
  --rack-id N       rack of this node in every namespace (0..1000000, default 0)
  --http-port N     serve /metrics, /health and /ready over HTTP on this port (default off; 0 = any free port)
  --cluster-name NAME  only nodes with the same cluster name form a cluster
  --access-address A   address advertised to clients and peers (default: the bound one)
  --access-port N      port advertised to clients (default: the bound one)
  --alternate-access-address A  address told to clients outside the node's network (peers-clear-alt)
  --alternate-access-port N     port told to those clients

Every option can also be set by an environment variable AEROLITE_<OPTION>, e.g. AEROLITE_RACK_ID=2
or AEROLITE_ETCD=etcd-0:2379,etcd-1:2379; the command line wins over the environment, and both
over the config file.

Prints one line when ready; SIGINT or SIGTERM drains (stop accepting, finish replies) and exits 0.
`

const INFO_USAGE = `usage: aerolite info [--host H] [--port N] [--timeout MS] COMMAND...

  --host H       node address (default 127.0.0.1)
  --port N       node port (default 3000)
  --timeout MS   give up after MS milliseconds (default 5000)

Sends each COMMAND (e.g. build, namespaces, namespace/test, "sets/test") and prints one
"command<TAB>value" line per answer. Exits 1 if an answer is an ERROR.
`

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

export async function main(argv: readonly string[], launchedAtMs: number): Promise<number> {
  try {
    const [command, ...rest] = argv
    switch (command) {
      case 'start': return await start(rest, launchedAtMs)
      case 'info': return await info(rest)
      case 'bench': return await (await import('./bench/command.ts')).bench(rest)
      case 'cluster': return await (await import('./cluster.ts')).cluster(rest)
      case 'deploy': return await (await import('./deploy/command.ts')).deploy(rest, ['aerolite', ...argv].join(' '))
      case 'operator': return await (await import('./operator.ts')).operator(rest)
      case '--version': case '-v': case 'version':
        process.stdout.write(`aerolite ${AEROLITE_VERSION}\n`)
        return 0
      case undefined:
        // No command is a usage error: the usage goes to stderr, the exit code is 2.
        process.stderr.write(USAGE)
        return 2
      case '--help': case '-h': case 'help':
        process.stdout.write(USAGE)
        return 0
    }
    throw new UsageError(`unknown command "${command}" (commands: start, info, bench, cluster, deploy, operator)`)
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`aerolite: ${err.message}\n`)
      return 2
    }
    const code = (err as { code?: string }).code
    // Data file problems (StorageError, ERR_STORAGE_*) name the file and the fix, like config errors.
    if (code === 'ERR_CONFIG' || code === 'ERR_START_OPTION' || code?.startsWith('ERR_STORAGE_') === true || code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      process.stderr.write(`aerolite: ${(err as Error).message}\n`)
      return 1
    }
    throw err
  }
}

export const START_FLAGS = {
  values: ['port', 'address', 'config', 'namespace', 'log-level', 'etcd', 'fabric-port', 'rack-id', 'http-port', 'cluster-name', 'access-address', 'access-port', 'alternate-access-address', 'alternate-access-port'],
  switches: ['help', 'version'],
}

/** The start options `aerolite start` flags ask for (checked by the server's buildConfig as well). */
export function startOptions(args: ParsedArgs): StartOptions {
  if (args.positional.length > 0) throw new UsageError(`start takes no arguments, got "${args.positional[0]}"`)
  const level = args.flags.get('log-level')
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level "${level}" is not one of ${LOG_LEVELS.join(', ')}`)
  const port = args.flags.get('port')
  const fabricPort = args.flags.get('fabric-port')
  const rackId = args.flags.get('rack-id')
  const httpPort = args.flags.get('http-port')
  const accessPort = args.flags.get('access-port')
  const alternateAccessPort = args.flags.get('alternate-access-port')
  if (rackId !== undefined && (!/^\d{1,7}$/.test(rackId) || Number(rackId) > 1_000_000)) throw new UsageError(`--rack-id "${rackId}" is not a rack id (0..1000000)`)
  const etcd = args.lists.get('etcd')?.flatMap((value) => value.split(',').map((part) => part.trim()))
  if (etcd?.includes('') === true) throw new UsageError('--etcd has an empty endpoint: give HOST:PORT, e.g. --etcd 127.0.0.1:2379')
  return {
    configFile: args.flags.get('config'),
    port: port === undefined ? undefined : parsePort(port, 'port'),
    address: args.flags.get('address'),
    namespace: args.flags.get('namespace'),
    logLevel: level as (typeof LOG_LEVELS)[number] | undefined,
    etcdEndpoints: etcd,
    fabricPort: fabricPort === undefined ? undefined : parsePort(fabricPort, 'fabric-port'),
    rackId: rackId === undefined ? undefined : Number(rackId),
    httpPort: httpPort === undefined ? undefined : parsePort(httpPort, 'http-port'),
    clusterName: args.flags.get('cluster-name'),
    accessAddress: args.flags.get('access-address'),
    accessPort: accessPort === undefined ? undefined : parsePort(accessPort, 'access-port'),
    alternateAccessAddress: args.flags.get('alternate-access-address'),
    alternateAccessPort: alternateAccessPort === undefined ? undefined : parsePort(alternateAccessPort, 'alternate-access-port'),
  }
}

async function start(argv: readonly string[], launchedAtMs: number): Promise<number> {
  const args = parseArgs(argv, START_FLAGS)
  if (args.switches.has('help')) return print(START_USAGE)
  if (args.switches.has('version')) return print(`aerolite ${AEROLITE_VERSION}\n`)
  const options = startOptions(withEnvironment(args, START_FLAGS, process.env))
  const { runNodeProcess } = await import('@aerolite/server')
  await runNodeProcess(options, launchedAtMs)
  // The node keeps the process alive until a signal drains it.
  return await new Promise<number>(() => {})
}

async function info(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['host', 'port', 'timeout'], switches: ['help', 'version'] })
  if (args.switches.has('help')) return print(INFO_USAGE)
  if (args.switches.has('version')) return print(`aerolite ${AEROLITE_VERSION}\n`)
  if (args.positional.length === 0) throw new UsageError('info needs at least one COMMAND (e.g. aerolite info build)')
  const timeout = args.flags.get('timeout') ?? '5000'
  if (!/^\d+$/.test(timeout) || Number(timeout) === 0) throw new UsageError(`--timeout "${timeout}" is not a positive number of milliseconds`)
  const host = args.flags.get('host') ?? '127.0.0.1'
  const port = parsePort(args.flags.get('port') ?? '3000', 'port')
  let reply: string
  try {
    reply = await requestInfo(host, port, args.positional, Number(timeout))
  } catch (err) {
    process.stderr.write(`aerolite: ${(err as Error).message}\n`)
    return 1
  }
  process.stdout.write(reply)
  const failed = [...parseInfoResponse(reply).values()].some((v) => v.startsWith('ERROR') || v.startsWith('FAIL'))
  return failed ? 1 : 0
}

function print(text: string): number {
  process.stdout.write(text)
  return 0
}
