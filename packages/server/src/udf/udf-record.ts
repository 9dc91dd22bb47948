// The record a record UDF works on, as the node sees it during the call: the bins as found, the
// changes Lua hands over with aerospike:create/update/remove, and the TTL and key choices. Nothing
// is stored here; commands/udf.ts stores the result once the function has returned successfully.
import { CITRUSLEAF_EPOCH_SECONDS, decodeParticle, packValue } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { findBin, putBin, removeBin, type Bin } from '../record/bins.ts'
import type { RecordView } from '../ops/op-context.ts'
import { HostOp, MetaField } from './host-ops.ts'
import type { HostValue } from './lua-vm.ts'
import { msgpackToParticle, particleToMsgpack } from './particle-msgpack.ts'

const CITRUSLEAF_EPOCH_MS = CITRUSLEAF_EPOCH_SECONDS * 1000

/** aerospike:log levels: 1 warn, 2 info, 3 debug, 4 trace. */
export type UdfLogSink = (level: number, message: string) => void

export class UdfRecord {
  /** The record as the command found it. */
  readonly view: RecordView
  /** Whether the record is there for the UDF (it existed, or aerospike:create made it). */
  open: boolean
  bins: Bin[]
  /** A create, update or remove happened: the bins must be stored (or the record removed). */
  hasUpdates = false
  /** A wire TTL chosen by record.set_ttl, replacing the request's. */
  ttlOverride: number | undefined
  dropKey = false
  private readonly staged = new Map<string, Bin | undefined>()
  private readonly nowVoidTime: number
  private readonly log: UdfLogSink

  constructor(view: RecordView, bins: Bin[], nowVoidTime: number, log: UdfLogSink) {
    this.view = view
    this.open = view.exists
    this.bins = bins
    this.nowVoidTime = nowVoidTime
    this.log = log
  }

  /** Serves one host(op, ...) call from Lua. */
  readonly serve = (args: HostValue[]): HostValue[] => {
    switch (args[0]) {
      case HostOp.BIN: return [this.binValue(text(args[1]))]
      case HostOp.STAGE: return this.stage(text(args[1]), args[2])
      case HostOp.CREATE: return [this.create()]
      case HostOp.UPDATE: return [this.update()]
      case HostOp.REMOVE: return [this.remove()]
      case HostOp.EXISTS: return [this.open]
      case HostOp.META: return [this.meta(args[1])]
      case HostOp.BIN_NAMES: return this.open ? this.bins.map((b) => b.name) : []
      case HostOp.SET_TTL: return this.setTtl(args[1])
      case HostOp.DROP_KEY:
        this.dropKey = true
        return []
      case HostOp.LOG:
        this.log(typeof args[1] === 'number' ? args[1] : 0, text(args[2]))
        return []
    }
    throw new Error(`unknown host operation ${String(args[0])}`)
  }

  private binValue(name: string): HostValue {
    if (!this.open) return undefined
    const i = findBin(this.bins, name)
    if (i < 0) return undefined
    const bin = this.bins[i]!
    return particleToMsgpack(bin.particleType, bin.value)
  }

  private stage(name: string, packed: HostValue): HostValue[] {
    if (Buffer.byteLength(name) > limits.maxBinNameBytes) throw new Error(`bin name "${name}" is longer than ${limits.maxBinNameBytes} bytes`)
    if (name.length === 0) throw new Error('bin name is empty')
    const particle = Buffer.isBuffer(packed) ? msgpackToParticle(packed) : undefined
    this.staged.set(name, particle === undefined ? undefined : { name, ...particle })
    return []
  }

  private create(): number {
    if (this.open && this.bins.length > 0) {
      this.staged.clear()
      return 1
    }
    this.open = true
    this.applyStaged()
    this.hasUpdates = true
    return 0
  }

  private update(): number {
    if (!this.open) {
      this.staged.clear()
      return -2
    }
    if (this.staged.size > 0 || this.ttlOverride !== undefined) this.hasUpdates = true
    this.applyStaged()
    return 0
  }

  private remove(): number {
    this.staged.clear()
    if (!this.open) return 1
    this.bins = []
    this.hasUpdates = true
    return 0
  }

  private applyStaged(): void {
    for (const [name, bin] of this.staged) {
      if (bin === undefined) removeBin(this.bins, name)
      else putBin(this.bins, bin)
    }
    this.staged.clear()
    if (this.bins.length > limits.maxBinsPerRecord) throw new Error(`more than ${limits.maxBinsPerRecord} bins`)
  }

  private setTtl(ttl: HostValue): HostValue[] {
    if (typeof ttl !== 'number' || !Number.isInteger(ttl)) throw new Error('record.set_ttl needs an integer')
    // The wire carries TTLs as u32: -1 (never expire) and -2 (keep) arrive as 0xffffffff, 0xfffffffe.
    this.ttlOverride = ttl >>> 0
    return []
  }

  private meta(field: HostValue): HostValue {
    const view = this.view
    if (field === MetaField.DIGEST) return view.digest
    if (!view.exists) return field === MetaField.GENERATION || field === MetaField.BIN_COUNT || field === MetaField.SIZE_BYTES || field === MetaField.TTL || field === MetaField.LAST_UPDATE_TIME ? 0 : undefined
    switch (field) {
      case MetaField.TTL: return view.voidTime > this.nowVoidTime ? view.voidTime - this.nowVoidTime : 0
      case MetaField.GENERATION: return view.generation
      case MetaField.LAST_UPDATE_TIME: return Math.max(0, view.lastUpdateMs - CITRUSLEAF_EPOCH_MS)
      case MetaField.SET_NAME: return view.setName.length > 0 ? view.setName : undefined
      case MetaField.KEY: return view.key === undefined ? undefined : packValue(decodeParticle(view.key.particleType, view.key.bytes) as Parameters<typeof packValue>[0])
      case MetaField.BIN_COUNT: return this.bins.length
      case MetaField.SIZE_BYTES: return view.storedBytes
    }
    return undefined
  }
}

function text(value: HostValue): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '')
}
