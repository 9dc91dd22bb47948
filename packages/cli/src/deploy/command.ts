// `aerolite deploy global-lb | cloud`: renders what runs Aerolite beyond one machine.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseHostPort } from '@aerolite/server'
import { UsageError, parseArgs, parseWholeNumber } from '../args.ts'
import { CLOUD_USAGE } from './cloud/command.ts'
import { failoverMs, renderHaproxyConfig, type GlobalLbSettings, type Site, type SiteEndpoint } from './global-lb.ts'

const GLOBAL_LB_USAGE = `usage: aerolite deploy global-lb --site NAME=HOST:PORT[,HOST:PORT...] --site ... [options]

  global-lb  an HAProxy configuration: one entry point for several regions (clusters that ship to
             each other with XDR). Each new client connection goes to the first region, in the order
             of --site, with a node that answers the Aerospike info command "status"; see docs/xdr.md

  --site NAME=HOST:PORT,...  a region and the service addresses of its nodes (repeat, most preferred first)
  --listen HOST:PORT         where clients connect (default 0.0.0.0:3000)
  --check-interval-ms N      time between health checks of a node (default 500)
  --fall N                   failed checks that mark a node down (default 2)
  --rise N                   passed checks that mark it up again (default 2)
  --maxconn N                connections at most (default 4096)
  --out DIR                  write DIR/haproxy.cfg (default: print the configuration)
`

export const DEPLOY_USAGE = `${GLOBAL_LB_USAGE}\n${CLOUD_USAGE}`

const TARGETS = 'global-lb, cloud'

export async function deploy(argv: readonly string[], commandLine: string): Promise<number> {
  const [target, ...rest] = argv
  switch (target) {
    case 'global-lb': return globalLb(rest, commandLine)
    case 'cloud': return (await import('./cloud/command.ts')).cloud(rest)
    case '--help': case '-h':
      process.stdout.write(DEPLOY_USAGE)
      return 0
    case undefined: throw new UsageError(`deploy needs a target: ${TARGETS}`)
  }
  throw new UsageError(`unknown deploy target "${target}" (targets: ${TARGETS})`)
}

function globalLb(argv: readonly string[], commandLine: string): number {
  const args = parseArgs(argv, { values: ['site', 'listen', 'check-interval-ms', 'fall', 'rise', 'maxconn', 'out'], switches: ['help'] })
  if (args.switches.has('help')) {
    process.stdout.write(GLOBAL_LB_USAGE)
    return 0
  }
  if (args.positional.length > 0) throw new UsageError(`deploy global-lb takes no arguments, got "${args.positional[0]}"`)
  const settings = globalLbSettings(args.lists.get('site') ?? [], args.flags)
  const config = renderHaproxyConfig(settings, commandLine)
  const out = args.flags.get('out')
  if (out === undefined) {
    process.stdout.write(config)
    return 0
  }
  const dir = resolve(out)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'haproxy.cfg'), config)
  process.stdout.write([
    `wrote ${join(dir, 'haproxy.cfg')}: clients connect to ${settings.listen.host}:${settings.listen.port}`,
    `regions in order of preference: ${settings.sites.map((s) => `${s.name} (${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'})`).join(', ')}`,
    `a region that stops answering is passed over within ${failoverMs(settings)} ms`,
    `check it with: haproxy -c -f ${join(dir, 'haproxy.cfg')}`,
    `run it with:   haproxy -f ${join(dir, 'haproxy.cfg')}`,
    '',
  ].join('\n'))
  return 0
}

export function globalLbSettings(siteArgs: readonly string[], flags: ReadonlyMap<string, string>): GlobalLbSettings {
  if (siteArgs.length < 2) throw new UsageError('global-lb needs at least two --site NAME=HOST:PORT (the regions, most preferred first)')
  const sites = siteArgs.map(parseSite)
  const names = new Set<string>()
  for (const site of sites) {
    if (names.has(site.name)) throw new UsageError(`--site ${site.name} is given twice`)
    names.add(site.name)
  }
  return {
    sites,
    listen: flags.has('listen') ? endpoint(flags.get('listen')!, '--listen') : { host: '0.0.0.0', port: 3000 },
    checkIntervalMs: parseWholeNumber(flags.get('check-interval-ms') ?? '500', 'check-interval-ms', 100, 60_000),
    fall: parseWholeNumber(flags.get('fall') ?? '2', 'fall', 1, 100),
    rise: parseWholeNumber(flags.get('rise') ?? '2', 'rise', 1, 100),
    maxConnections: parseWholeNumber(flags.get('maxconn') ?? '4096', 'maxconn', 1, 1_000_000),
  }
}

function parseSite(text: string): Site {
  const eq = text.indexOf('=')
  const name = eq < 0 ? '' : text.slice(0, eq)
  if (!/^[A-Za-z0-9_-]{1,31}$/.test(name)) throw new UsageError(`--site "${text}" is not NAME=HOST:PORT[,HOST:PORT...] (NAME: 1 to 31 letters, digits, '-' or '_')`)
  return { name, nodes: text.slice(eq + 1).split(',').map((part) => endpoint(part.trim(), `--site ${name}`)) }
}

function endpoint(text: string, what: string): SiteEndpoint {
  const parsed = parseHostPort(text)
  if (parsed === undefined) throw new UsageError(`${what}: "${text}" is not HOST:PORT (a host name or IP address, [IPv6] in brackets, and a port from 1 to 65535)`)
  return parsed
}
