// What a stream UDF call sees of the node: the records of its batch, opened one at a time as Lua
// pulls them (read-only: aerospike:create/update/remove change nothing and answer 1, as they do in
// Aerospike's aggregations), and a sink for the values it hands out.
import { HostOp } from './host-ops.ts'
import type { HostValue } from './lua-vm.ts'
import type { UdfLogSink, UdfRecord } from './udf-record.ts'

/** Opens the batch's record at this position (built only when Lua first looks into it). */
export type OpenRecord = (position: number) => UdfRecord

/** Takes one value (msgpack) the stream hands out; throws to fail the call. */
export type EmitValue = (packed: Buffer) => void

const REFUSED = [1]
const NOTHING: HostValue[] = []

export class StreamFeed {
  private readonly count: number
  private readonly open: OpenRecord
  private readonly emit: EmitValue
  private readonly log: UdfLogSink
  /** Position of the open record; -1 before the first. */
  private position = -1
  private record: UdfRecord | undefined

  constructor(count: number, open: OpenRecord, emit: EmitValue, log: UdfLogSink) {
    this.count = count
    this.open = open
    this.emit = emit
    this.log = log
  }

  /** Serves one host(op, ...) call from Lua. */
  readonly serve = (args: HostValue[]): HostValue[] => {
    switch (args[0]) {
      case HostOp.NEXT:
        this.record = undefined
        if (this.position + 1 >= this.count) {
          this.position = this.count
          return [false]
        }
        this.position++
        return [true]
      case HostOp.EMIT:
        if (!Buffer.isBuffer(args[1])) throw new Error('a stream value must be msgpack')
        this.emit(args[1])
        return NOTHING
      case HostOp.LOG:
        this.log(typeof args[1] === 'number' ? args[1] : 0, Buffer.isBuffer(args[2]) ? args[2].toString('utf8') : String(args[2] ?? ''))
        return NOTHING
      case HostOp.CREATE:
      case HostOp.UPDATE:
      case HostOp.REMOVE:
        return REFUSED
      case HostOp.STAGE:
      case HostOp.SET_TTL:
      case HostOp.DROP_KEY:
        return NOTHING
    }
    return this.current().serve(args)
  }

  private current(): UdfRecord {
    if (this.position < 0 || this.position >= this.count) throw new Error('no record is open')
    this.record ??= this.open(this.position)
    return this.record
  }
}
