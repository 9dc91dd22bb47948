// The node's shipping to other clusters: one shipper per configured DC, and what the info commands
// answer of them (get-config:context=xdr, get-stats:context=xdr), as Aerospike's do.
import { infoError, type Env, type InfoCommand } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { compileFilter } from '../commands/filter.ts'
import type { XdrConfig, XdrNamespaceConfig } from '../config/xdr-config.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { DcShipper } from './dc-shipper.ts'

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

  constructor(config: XdrConfig, namespaces: ReadonlyMap<string, Namespace>, env: Env, log: Logger) {
    this.config = config
    this.shippers = config.dcs.map((dc) => new DcShipper(dc, namespaces, env, log))
  }

  start(): void {
    for (const shipper of this.shippers) shipper.start()
  }

  stop(): void {
    for (const shipper of this.shippers) shipper.stop()
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

  /** get-stats:context=xdr;dc=NAME[;namespace=NS]. */
  statsAnswer(cmd: InfoCommand): string {
    const shipper = this.shipper(cmd.params.get('dc'))
    if (typeof shipper === 'string') return shipper
    const nsName = cmd.params.get('namespace')
    const stats = shipper.statistics(nsName)
    return stats === undefined ? infoError(4, `namespace ${nsName} is not shipped to DC ${shipper.config.name}`) : format(stats)
  }
}
