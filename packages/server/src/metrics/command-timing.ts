// Times each client command from dispatch until its answer is ready (a stream: its last frame)
// into the latency histogram of its kind, as Aerospike sorts them: batch-index, query (scans and
// queries), udf, write (deletes and operations that write too), read. A single-record command
// answered TIMEOUT counts in its namespace's client_<kind>_timeout.
import { FieldType, Info1, Info2, PROTO_HEADER_BYTES, ResultCode, type Clock, type Message } from '@aerolite/protocol'
import type { DispatchResult } from '../commands/dispatch.ts'
import { whenSettled } from '../commands/record-result.ts'
import type { CommandReply } from '../commands/reply.ts'
import { sameBytes } from '../name-cache.ts'
import type { NamespaceCounters } from '../namespace/namespace.ts'
import { LATENCY_KIND_COUNT, LatencyHistograms, LatencyKind } from './latency-histograms.ts'

/** The result code's offset in a reply: after the proto header, the sixth byte of the message header. */
const RESULT_CODE_OFFSET = PROTO_HEADER_BYTES + 5

export class CommandTiming {
  private readonly histograms: LatencyHistograms
  private readonly clock: Clock
  private readonly namespaceNames: readonly Buffer[]
  /** Per namespace, in the order of histograms.namespaces. */
  private readonly counters: readonly NamespaceCounters[]

  constructor(histograms: LatencyHistograms, clock: Clock, counters: readonly NamespaceCounters[]) {
    this.histograms = histograms
    this.clock = clock
    this.namespaceNames = histograms.namespaces.map((name) => Buffer.from(name, 'utf8'))
    this.counters = counters
  }

  /** Runs `dispatch` and records its time; a reply that waits or streams is recorded when it is ready. */
  timed(message: Message, dispatch: (message: Message) => DispatchResult): DispatchResult {
    const histogram = this.histogramOf(message)
    if (histogram < 0) return dispatch(message)
    const startedMs = this.clock.monotonicMs()
    const result = dispatch(message)
    if ('stream' in result) {
      const stream = result.stream
      return { stream: (control) => this.recordAtEnd(stream(control), histogram, startedMs, message) }
    }
    if ('reply' in result && result.settled === undefined) this.record(histogram, startedMs, message, result)
    else void whenSettled(result).then((reply) => this.record(histogram, startedMs, message, reply), () => this.record(histogram, startedMs, message, undefined))
    return result
  }

  /** The histogram a message counts in, or -1 (a namespace this node does not have, a message of no known kind). */
  histogramOf(message: Message): number {
    if ((message.info1 & Info1.BATCH) !== 0) return this.histograms.batchIndex
    let namespace = -1
    let digest = false
    let udf = false
    for (const field of message.fields) {
      if (field.type === FieldType.NAMESPACE) namespace = this.namespaceIndex(field.data)
      else if (field.type === FieldType.DIGEST) digest = true
      else if (field.type === FieldType.UDF_FUNCTION) udf = true
    }
    if (namespace < 0) return -1
    const kind = !digest ? LatencyKind.query
      : udf ? LatencyKind.udf
        : (message.info2 & Info2.WRITE) !== 0 ? LatencyKind.write
          : (message.info1 & Info1.READ) !== 0 ? LatencyKind.read
            : -1
    return kind < 0 ? -1 : LatencyHistograms.histogramOf(namespace, kind)
  }

  private namespaceIndex(name: Buffer): number {
    for (let i = 0; i < this.namespaceNames.length; i++) if (sameBytes(this.namespaceNames[i]!, name)) return i
    return -1
  }

  private record(histogram: number, startedMs: number, message: Message, answer: CommandReply | undefined): void {
    this.histograms.record(histogram, this.clock.monotonicMs() - startedMs)
    if (answer?.reply[RESULT_CODE_OFFSET] === ResultCode.TIMEOUT) this.countTimeout(histogram, message)
  }

  private countTimeout(histogram: number, message: Message): void {
    const counters = this.counters[Math.floor(histogram / LATENCY_KIND_COUNT)]!
    switch (histogram % LATENCY_KIND_COUNT) {
      case LatencyKind.read: counters.clientReadTimeout++; break
      case LatencyKind.udf: counters.clientUdfTimeout++; break
      case LatencyKind.write:
        if ((message.info2 & Info2.DELETE) !== 0) counters.clientDeleteTimeout++
        else counters.clientWriteTimeout++
    }
  }

  private async *recordAtEnd(frames: AsyncIterable<Buffer>, histogram: number, startedMs: number, message: Message): AsyncGenerator<Buffer> {
    try {
      yield* frames
    } finally {
      this.record(histogram, startedMs, message, undefined)
    }
  }
}
