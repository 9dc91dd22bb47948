// The node's shipping to other clusters: one shipper per configured DC, what the info commands
// answer of them (get-config:context=xdr, get-stats:context=xdr) as Aerospike's do, and how far
// each partition has shipped: told to the other members, kept in the namespaces' files.
import { infoError, type Env, type InfoCommand, type Timer } from '@aerolite/protocol'
import { MessageType, type FabricMessageHandler } from '../cluster/fabric-link.ts'
import { CommandError } from '../command-error.ts'
import { compileFilter } from '../commands/filter.ts'
import {
  changeXdrDcSetting,
  changeXdrNamespaceSetting,
  changeXdrSetting,
  dcNameProblem,
  defaultXdrDcConfig,
  defaultXdrNamespaceConfig,
  type XdrConfig,
  type XdrDcConfig,
  type XdrNamespaceConfig,
} from '../config/xdr-config.ts'
import { parseHostPort } from '../config/host-port.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { limits } from '../limits.ts'
import { DcShipper } from './dc-shipper.ts'
import { decodeShippedPoints, encodeShippedPoints, type ShippedPointsEntry } from './shipped-points-message.ts'

/** The fabric as XDR uses it: one-way messages to the other members. */
export interface XdrFabric {
  send(nodeId: string, type: number, payload: Buffer): void
  onMessage(type: number, handler: FabricMessageHandler): void
}

const format = (entries: ReadonlyArray<readonly [string, string | number | boolean]>): string => entries.map(([k, v]) => `${k}=${v}`).join(';')

function namespaceConfigEntries(c: XdrNamespaceConfig): Array<[string, string | number | boolean]> {
  return [
    ['enabled', true],
    ['bin-policy', c.binPolicy],
    ['delay-ms', c.delayMs],
    ['enable-compression', c.enableCompression],
    ['forward', c.forward],
    ['hot-key-ms', c.hotKeyMs],
    ['ignore-bins', c.ignoreBins.join(',')],
    ['ignore-sets', c.ignoreSets.join(',')],
    ['max-throughput', c.maxThroughput],
    ['remote-namespace', c.remoteNamespace ?? 'null'],
    ['ship-bins', c.shipBins.join(',')],
    ['ship-bin-luts', c.shipBinLuts],
    ['ship-nsup-deletes', c.shipNsupDeletes],
    ['ship-only-specified-sets', c.shipOnlySpecifiedSets],
    ['ship-sets', c.shipSets.join(',')],
    ['transaction-queue-limit', c.transactionQueueLimit],
    ['write-policy', c.writePolicy],
  ]
}

export class XdrShipping {
  readonly config: XdrConfig
  readonly shippers: DcShipper[]
  private readonly namespaces: ReadonlyMap<string, Namespace>
  private readonly env: Env
  private readonly log: Logger
  private started = false
  private pointsTimer: Timer | undefined
  private pointsTicks = 0
  private cluster: { fabric: XdrFabric; peers: () => readonly string[] } | undefined

  constructor(config: XdrConfig, namespaces: ReadonlyMap<string, Namespace>, env: Env, log: Logger) {
    this.config = config
    this.namespaces = namespaces
    this.env = env
    this.log = log
    this.shippers = config.dcs.map((dc) => this.newShipper(dc))
  }

  private newShipper(config: XdrDcConfig): DcShipper {
    return new DcShipper(config, this.namespaces, this.env, this.log, { srcId: () => this.config.srcId, announce: (entries) => this.announce(entries) })
  }

  /** Starts shipping; call once the namespaces are open and the node joined its cluster. */
  start(): void {
    this.started = true
    for (const shipper of this.shippers) shipper.start(this.cluster !== undefined)
    // At once: a node killed before its first interval resumes from its start, not from nothing.
    this.saveShippedPoints()
    this.pointsTimer = this.env.scheduler.every(limits.xdrShippedPointsIntervalMs, () => this.shareShippedPoints())
  }

  /** Stops shipping; the shipped points go into the files' headers with the namespaces' clean close. */
  stop(): void {
    this.started = false
    this.pointsTimer?.cancel()
    for (const shipper of this.shippers) {
      shipper.saveShippedPoints()
      shipper.stop()
    }
  }

  /** In a cluster: the members tell each other how far the partitions they master have shipped. */
  joinCluster(fabric: XdrFabric, peers: () => readonly string[]): void {
    this.cluster = { fabric, peers }
    fabric.onMessage(MessageType.XDR_SHIPPED_POINTS, (from, payload) => {
      try {
        for (const entry of decodeShippedPoints(payload)) this.shippers.find((s) => s.config.name === entry.dc)?.shippedPointsReceived(entry)
      } catch (err) {
        this.log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'xdr: ignored a bad shipped-points message')
      }
    })
  }

  /** Every interval: the points of the partitions this node masters go to the other members, and now and then into the files. */
  private shareShippedPoints(): void {
    this.announce(this.shippers.flatMap((shipper) => shipper.ownShippedPoints()))
    if (++this.pointsTicks % Math.round(limits.xdrShippedPointSaveIntervalMs / limits.xdrShippedPointsIntervalMs) === 0) this.saveShippedPoints()
  }

  /** Tells every other member of the cluster these points. */
  private announce(entries: ShippedPointsEntry[]): void {
    if (this.cluster === undefined || entries.length === 0) return
    const payload = encodeShippedPoints(entries)
    for (const peer of this.cluster.peers()) {
      try {
        this.cluster.fabric.send(peer, MessageType.XDR_SHIPPED_POINTS, payload)
      } catch {
        // A member that left or cannot be reached now hears the next one.
      }
    }
  }

  /** Writes each namespace's lowest shipped point into its files' headers. */
  private saveShippedPoints(): void {
    for (const shipper of this.shippers) shipper.saveShippedPoints()
    for (const ns of new Set(this.shippers.flatMap((shipper) => [...shipper.namespaces.values()].map((s) => s.namespace)))) {
      try {
        ns.persistMeta()
      } catch (err) {
        this.log.warn({ ns: ns.name, err: err instanceof Error ? err.message : String(err) }, 'xdr: could not save the shipped point; a restart ships again from an older one')
      }
    }
  }

  private shipper(name: string | undefined): DcShipper | string {
    if (name === undefined || name === '') return infoError(4, 'missing dc=NAME')
    return this.shippers.find((s) => s.config.name === name) ?? infoError(4, `DC ${name} not found (DCs: ${this.shippers.map((s) => s.config.name).join(', ') || 'none'})`)
  }

  /** get-config:context=xdr[;dc=NAME[;namespace=NS]]. */
  configAnswer(cmd: InfoCommand): string {
    const dcName = cmd.params.get('dc')
    if (dcName === undefined) return format([['dcs', this.shippers.map((s) => s.config.name).join(',')], ['src-id', this.config.srcId], ['trace-fraction', 0]])
    const shipper = this.shipper(dcName)
    if (typeof shipper === 'string') return shipper
    const nsName = cmd.params.get('namespace')
    if (nsName !== undefined) {
      const ns = shipper.namespaces.get(nsName)
      return ns === undefined ? infoError(4, `namespace ${nsName} is not shipped to DC ${dcName}`) : format(namespaceConfigEntries(ns.config))
    }
    const dc = shipper.config
    return format([
      ['node-address-ports', dc.nodes.map((n) => `${n.host}:${n.port}`).join(',')],
      ['auth-mode', 'none'],
      ['connector', false],
      ['max-recoveries-interleaved', 0],
      ['period-ms', dc.periodMs],
      ['namespaces', dc.namespaces.map((ns) => ns.name).join(',')],
    ])
  }

  /**
   * xdr-set-filter:dc=NAME;namespace=NS;exp=BASE64 (or exp=null to remove it): the records of NS
   * ship to the DC only when they match the boolean filter expression. Kept by this node only.
   */
  setFilter(cmd: InfoCommand): string {
    const shipper = this.shipper(cmd.params.get('dc'))
    if (typeof shipper === 'string') return shipper
    const nsName = cmd.params.get('namespace')
    const shipping = nsName === undefined ? undefined : shipper.namespaces.get(nsName)
    if (shipping === undefined) return infoError(4, nsName === undefined ? 'missing namespace=NS' : `namespace ${nsName} is not shipped to DC ${shipper.config.name}`)
    const base64 = cmd.params.get('exp')
    if (base64 === undefined || base64 === '') return infoError(4, 'missing exp=BASE64 (or exp=null)')
    if (base64 === 'null') {
      shipping.filter = undefined
      return 'ok'
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return infoError(4, 'exp is not base64')
    try {
      shipping.filter = { base64, expression: compileFilter(Buffer.from(base64, 'base64')) }
    } catch (err) {
      if (!(err instanceof CommandError)) throw err
      return infoError(4, `exp is not a boolean filter expression: ${err.message}`)
    }
    return 'ok'
  }

  /**
   * set-config:context=xdr with Aerospike's forms: `src-id=N`; `dc=NAME;action=create|delete`;
   * `dc=NAME;node-address-port=HOST:PORT;action=add|remove`; `dc=NAME;namespace=NS;action=add
   * [;rewind=all|SECONDS]` or `action=remove`; `dc=NAME[;namespace=NS];KEY=VALUE` for a setting.
   * Applies to this node only, as Aerospike's does (asadm sends it to every node).
   */
  setConfig(cmd: InfoCommand): string {
    const dcName = cmd.params.get('dc')
    const nsName = cmd.params.get('namespace')
    const action = cmd.params.get('action')
    const settings = [...cmd.params].filter(([key]) => !['context', 'dc', 'namespace', 'action', 'rewind', 'node-address-port'].includes(key))
    if (dcName === undefined) {
      if (settings.length === 0) return infoError(4, 'set-config:context=xdr needs dc=NAME or a setting (src-id)')
      const next = { ...this.config }
      for (const [key, value] of settings) {
        const problem = changeXdrSetting(next, key, value)
        if (problem !== undefined) return infoError(4, problem)
      }
      this.config.srcId = next.srcId
      return 'ok'
    }
    if (nsName === undefined && (action === 'create' || action === 'delete')) return action === 'create' ? this.createDc(dcName) : this.deleteDc(dcName)
    const shipper = this.shipper(dcName)
    if (typeof shipper === 'string') return shipper
    const seed = cmd.params.get('node-address-port')
    if (seed !== undefined) return this.changeSeeds(shipper, seed, action)
    if (nsName === undefined) {
      if (settings.length === 0) return infoError(4, `missing action=create|delete, node-address-port=HOST:PORT, namespace=NS or a setting for DC ${dcName}`)
      const next = { ...shipper.config }
      for (const [key, value] of settings) {
        const problem = changeXdrDcSetting(next, key, value)
        if (problem !== undefined) return infoError(4, problem)
      }
      shipper.config.periodMs = next.periodMs
      shipper.periodChanged()
      return 'ok'
    }
    if (settings.length === 0 && (action === 'add' || action === 'remove')) return action === 'add' ? this.addNamespace(shipper, nsName, cmd.params.get('rewind')) : this.removeNamespace(shipper, nsName)
    const shipping = shipper.namespaces.get(nsName)
    if (shipping === undefined) return infoError(4, `namespace ${nsName} is not shipped to DC ${dcName} (add it with action=add)`)
    if (settings.length === 0) return infoError(4, `missing action=add|remove or a setting for namespace ${nsName} of DC ${dcName}`)
    const next = structuredClone(shipping.config)
    for (const [key, value] of settings) {
      const problem = changeXdrNamespaceSetting(next, key, value, action)
      if (problem !== undefined) return infoError(4, problem)
    }
    shipper.namespaceConfigChanged(nsName, next)
    return 'ok'
  }

  private createDc(name: string): string {
    const problem = dcNameProblem(name)
    if (problem !== undefined) return infoError(4, problem)
    if (this.shippers.some((s) => s.config.name === name)) return infoError(4, `DC ${name} exists already`)
    const config = defaultXdrDcConfig(name)
    const shipper = this.newShipper(config)
    this.config.dcs.push(config)
    this.shippers.push(shipper)
    if (this.started) shipper.start(this.cluster !== undefined)
    return 'ok'
  }

  /** Removes a DC with its namespaces; what it had not shipped is dropped. */
  private deleteDc(name: string): string {
    const shipper = this.shipper(name)
    if (typeof shipper === 'string') return shipper
    for (const shipping of shipper.namespaces.values()) shipping.namespace.xdrShippedMs.delete(name)
    shipper.stop()
    this.shippers.splice(this.shippers.indexOf(shipper), 1)
    this.config.dcs.splice(this.config.dcs.indexOf(shipper.config), 1)
    return 'ok'
  }

  private changeSeeds(shipper: DcShipper, text: string, action: string | undefined): string {
    const [host = '', port = '', tlsName] = text.split(':')
    const seed = parseHostPort(`${host}:${port}`)
    if (seed === undefined || tlsName === '') return infoError(4, `node-address-port ${JSON.stringify(text)} is not HOST:PORT[:TLS-NAME]`)
    const seeds = shipper.config.nodes
    const at = seeds.findIndex((s) => s.host === seed.host && s.port === seed.port)
    if (action === 'add') {
      if (at < 0) seeds.push(seed)
    } else if (action === 'remove') {
      if (at < 0) return infoError(4, `DC ${shipper.config.name} has no seed ${seed.host}:${seed.port}`)
      seeds.splice(at, 1)
    } else {
      return infoError(4, 'node-address-port needs action=add or action=remove')
    }
    shipper.seedsChanged()
    return 'ok'
  }

  /** rewind=all ships every record first; rewind=N those changed in the last N seconds. */
  private addNamespace(shipper: DcShipper, nsName: string, rewind: string | undefined): string {
    const namespace = this.namespaces.get(nsName)
    if (namespace === undefined) return infoError(20, `namespace ${nsName} is not configured on this node`)
    if (shipper.namespaces.has(nsName)) return infoError(4, `namespace ${nsName} is shipped to DC ${shipper.config.name} already`)
    let rewindSinceMs: number | undefined
    if (rewind === 'all') rewindSinceMs = 0
    else if (rewind !== undefined) {
      if (!/^\d{1,10}$/.test(rewind)) return infoError(4, `rewind ${JSON.stringify(rewind)} is not "all" or a number of seconds`)
      rewindSinceMs = this.env.clock.nowMs() - Number(rewind) * 1000
    }
    shipper.addNamespace(namespace, defaultXdrNamespaceConfig(nsName), rewindSinceMs)
    return 'ok'
  }

  private removeNamespace(shipper: DcShipper, nsName: string): string {
    if (!shipper.namespaces.has(nsName)) return infoError(4, `namespace ${nsName} is not shipped to DC ${shipper.config.name}`)
    shipper.removeNamespace(nsName)
    return 'ok'
  }

  /** get-stats:context=xdr;dc=NAME[;namespace=NS]. */
  statsAnswer(cmd: InfoCommand): string {
    const shipper = this.shipper(cmd.params.get('dc'))
    if (typeof shipper === 'string') return shipper
    const nsName = cmd.params.get('namespace')
    const stats = shipper.statistics(nsName)
    return stats === undefined ? infoError(4, `namespace ${nsName} is not shipped to DC ${shipper.config.name}`) : format(stats)
  }
}
