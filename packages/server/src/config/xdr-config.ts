// The `xdr` context of aerospike.conf: which datacenters (DCs) each namespace ships its changes to,
// and how. Names, values and defaults are Aerospike's, so an existing file loads unchanged.
import { ConfigError, quote } from './errors.ts'
import { EntryReader, type BlockReader, type Scope } from './scope.ts'
import { parseHostPort } from './host-port.ts'
import type { HostPort } from './schema.ts'

export const BIN_POLICIES = ['all', 'no-bins', 'only-changed', 'changed-and-specified', 'changed-or-specified'] as const
export type BinPolicy = (typeof BIN_POLICIES)[number]
export const WRITE_POLICIES = ['auto', 'update', 'replace'] as const
export type WritePolicy = (typeof WRITE_POLICIES)[number]

export interface XdrNamespaceConfig {
  name: string
  /** The namespace at the DC; unset: the same name. */
  remoteNamespace?: string
  shipOnlySpecifiedSets: boolean
  shipSets: string[]
  ignoreSets: string[]
  shipBins: string[]
  ignoreBins: string[]
  binPolicy: BinPolicy
  writePolicy: WritePolicy
  /** Ship on the writes that arrived by XDR themselves (a chain A → B → C); off: no loops. */
  forward: boolean
  /** Holds each change this long before shipping it. */
  delayMs: number
  /** A record changed again within this time ships once. */
  hotKeyMs: number
  /** Records shipped per second at most. */
  maxThroughput: number
  /** Changes waiting at most; past it the oldest are dropped and recovered later by a partition walk. */
  transactionQueueLimit: number
  /** Ship the deletes of expiry and eviction too. */
  shipNsupDeletes: boolean
  /** Send each bin's last-update time (bin convergence between Aerolite clusters). */
  shipBinLuts: boolean
  enableCompression: boolean
}

export interface XdrDcConfig {
  name: string
  /** Seed nodes of the remote cluster. */
  nodes: HostPort[]
  /** How often the shipper looks for changes, in ms. */
  periodMs: number
  namespaces: XdrNamespaceConfig[]
}

export interface XdrConfig {
  /** This cluster's id among the clusters that ship to each other (1 to 255; 0 = unset). */
  srcId: number
  dcs: XdrDcConfig[]
}

export function defaultXdrConfig(): XdrConfig {
  return { srcId: 0, dcs: [] }
}

export function defaultXdrNamespaceConfig(name: string): XdrNamespaceConfig {
  return {
    name,
    shipOnlySpecifiedSets: false,
    shipSets: [],
    ignoreSets: [],
    shipBins: [],
    ignoreBins: [],
    binPolicy: 'all',
    writePolicy: 'auto',
    forward: false,
    delayMs: 0,
    hotKeyMs: 100,
    maxThroughput: 100_000,
    transactionQueueLimit: 16_384,
    shipNsupDeletes: false,
    shipBinLuts: false,
    enableCompression: false,
  }
}

export function defaultXdrDcConfig(name: string): XdrDcConfig {
  return { name, nodes: [], periodMs: 100, namespaces: [] }
}

function oneOf<T extends string>(r: { one(): string; failValue(value: string, problem: string): never }, allowed: readonly T[]): T {
  const text = r.one()
  if (!(allowed as readonly string[]).includes(text)) r.failValue(text, `is not one of ${allowed.join(', ')}`)
  return text as T
}

const xdrNamespaceScope: Scope<XdrNamespaceConfig> = {
  entries: {
    'remote-namespace': (r, ns) => { ns.remoteNamespace = r.one() },
    'ship-only-specified-sets': (r, ns) => { ns.shipOnlySpecifiedSets = r.boolean() },
    'ship-set': (r, ns) => { ns.shipSets.push(r.one()) },
    'ignore-set': (r, ns) => { ns.ignoreSets.push(r.one()) },
    'ship-bin': (r, ns) => { ns.shipBins.push(r.one()) },
    'ignore-bin': (r, ns) => { ns.ignoreBins.push(r.one()) },
    'bin-policy': (r, ns) => { ns.binPolicy = oneOf(r, BIN_POLICIES) },
    'write-policy': (r, ns) => { ns.writePolicy = oneOf(r, WRITE_POLICIES) },
    forward: (r, ns) => { ns.forward = r.boolean() },
    'delay-ms': (r, ns) => { ns.delayMs = r.integer(0, 5000) },
    'hot-key-ms': (r, ns) => { ns.hotKeyMs = r.integer(0, 5000) },
    'max-throughput': (r, ns) => { ns.maxThroughput = r.integer(1, 100_000_000) },
    'transaction-queue-limit': (r, ns) => { ns.transactionQueueLimit = r.integer(1024, 1_048_576) },
    'ship-nsup-deletes': (r, ns) => { ns.shipNsupDeletes = r.boolean() },
    'ship-bin-luts': (r, ns) => { ns.shipBinLuts = r.boolean() },
    'enable-compression': (r, ns) => { ns.enableCompression = r.boolean() },
  },
  // Aerospike settings with no effect here (Aerolite has no strong consistency and ships the latest version).
  ignored: ['compression-level', 'sc-replication-wait-ms', 'ship-versions-interval', 'ship-versions-policy', 'ignore-expunges'],
  repeatable: ['ship-set', 'ignore-set', 'ship-bin', 'ignore-bin'],
}

const xdrDcScope: Scope<XdrDcConfig> = {
  entries: {
    'node-address-port': (r, dc) => {
      const values = r.entry.values
      if (values.length < 2 || values.length > 3) r.fail(`node-address-port takes HOST PORT [TLS-NAME], got ${quote(values.join(' '))}`)
      const endpoint = parseHostPort(`${values[0]!.includes(':') ? `[${values[0]}]` : values[0]}:${values[1]}`)
      if (endpoint === undefined) return r.fail(`node-address-port ${quote(values.join(' '))} is not HOST PORT (an IP address or host name, and a port 1 to 65535)`)
      dc.nodes.push(endpoint)
    },
    'period-ms': (r, dc) => { dc.periodMs = r.integer(5, 1000) },
  },
  blocks: {
    namespace: (r, dc) => {
      const name = r.oneArg('NAME')
      if (dc.namespaces.some((ns) => ns.name === name)) r.fail(`namespace ${quote(name)} appears twice in dc ${dc.name}`)
      const ns = defaultXdrNamespaceConfig(name)
      r.apply(xdrNamespaceScope, ns)
      dc.namespaces.push(ns)
    },
  },
  ignored: ['auth-mode', 'auth-user', 'auth-password-file', 'connector', 'max-recoveries-interleaved', 'tls-name', 'use-alternate-access-address'],
  repeatable: ['node-address-port', 'namespace'],
}

const xdrScope: Scope<XdrConfig> = {
  entries: {
    'src-id': (r, xdr) => { xdr.srcId = r.integer(0, 255) },
  },
  blocks: {
    dc: (r, xdr) => {
      const name = r.oneArg('NAME')
      const problem = dcNameProblem(name)
      if (problem !== undefined) r.fail(problem)
      if (xdr.dcs.some((dc) => dc.name === name)) r.fail(`dc ${quote(name)} is defined twice`)
      const dc = defaultXdrDcConfig(name)
      r.apply(xdrDcScope, dc)
      xdr.dcs.push(dc)
    },
  },
  ignored: ['trace-fraction'],
  repeatable: ['dc'],
}

/** Reads the xdr block into `xdr`; the namespaces it names are checked once the whole file is read. */
export function readXdr(r: BlockReader, xdr: XdrConfig): void {
  r.noArgs()
  r.apply(xdrScope, xdr)
}

/** The namespace settings that are lists: set-config adds to them (action=add, the default) or removes. */
const LIST_SETTINGS = { 'ship-set': 'shipSets', 'ignore-set': 'ignoreSets', 'ship-bin': 'shipBins', 'ignore-bin': 'ignoreBins' } as const

/** One `key=value` of set-config applied through the same rules as the file's; the problem, or undefined. */
function applySetting<T>(scope: Scope<T>, target: T, key: string, value: string): string | undefined {
  const apply = scope.entries?.[key]
  if (apply === undefined) return `${quote(key)} cannot be changed at run time`
  try {
    apply(new EntryReader('set-config', '', { kind: 'entry', key, values: [value], line: 0 }), target)
  } catch (err) {
    if (err instanceof ConfigError) return err.detail
    throw err
  }
  return undefined
}

/**
 * set-config:context=xdr;dc=NAME;namespace=NS;KEY=VALUE[;action=add|remove] on a copy of the
 * namespace's settings; the problem, or undefined.
 */
export function changeXdrNamespaceSetting(ns: XdrNamespaceConfig, key: string, value: string, action: string | undefined): string | undefined {
  if (key in LIST_SETTINGS) {
    const list = ns[LIST_SETTINGS[key as keyof typeof LIST_SETTINGS]]
    if (value === '') return `${key} needs a name`
    if (action === 'remove') {
      if (!list.includes(value)) return `${key} ${quote(value)} is not in the list (${list.join(', ') || 'empty'})`
      list.splice(list.indexOf(value), 1)
    } else if (action === undefined || action === 'add') {
      if (!list.includes(value)) list.push(value)
    } else {
      return `action ${quote(action)} is not add or remove`
    }
    return undefined
  }
  if (action !== undefined) return `action is only for ship-set, ignore-set, ship-bin and ignore-bin`
  if (key === 'remote-namespace' && value === 'null') {
    delete ns.remoteNamespace
    return undefined
  }
  return applySetting(xdrNamespaceScope, ns, key, value)
}

/** set-config:context=xdr;dc=NAME;KEY=VALUE (period-ms) on a DC's settings; the problem, or undefined. */
export function changeXdrDcSetting(dc: XdrDcConfig, key: string, value: string): string | undefined {
  return applySetting(xdrDcScope, dc, key, value)
}

/** set-config:context=xdr;src-id=N; the problem, or undefined. */
export function changeXdrSetting(xdr: XdrConfig, key: string, value: string): string | undefined {
  return applySetting(xdrScope, xdr, key, value)
}

/** A DC name as the file and set-config accept it; the problem, or undefined. */
export function dcNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,31}$/.test(name) ? undefined : `dc name ${quote(name)} must be 1 to 31 letters, digits, '-' or '_'`
}
