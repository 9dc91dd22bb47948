// Multi-record replies (batch, scan, query): messages packed back to back into frames of about
// limits.streamFrameBytes, ended by a LAST message.
import { MESSAGE_HEADER_BYTES, PROTO_HEADER_BYTES, ProtoType, encodeProtoHeader, writeMessage } from '@aerolite/protocol'
import { limits } from '../limits.ts'

/** A header-only stream message: pid-done markers and the final LAST. */
export function controlMessage(info3: number, resultCode: number, generation: number): Buffer {
  const out = Buffer.allocUnsafe(MESSAGE_HEADER_BYTES)
  writeMessage(out, 0, { info1: 0, info2: 0, info3, info4: 0, resultCode, generation, recordTtl: 0, transactionTtl: 0 }, [], [])
  return out
}

/** Collects messages and cuts them into frames. */
export class FrameBatcher {
  private parts: Buffer[] = []
  private bytes = 0

  get pendingBytes(): number {
    return this.bytes
  }

  add(message: Buffer): void {
    this.parts.push(message)
    this.bytes += message.length
  }

  get full(): boolean {
    return this.bytes >= limits.streamFrameBytes
  }

  take(): Buffer {
    const out = Buffer.allocUnsafe(PROTO_HEADER_BYTES + this.bytes)
    encodeProtoHeader(ProtoType.MESSAGE, this.bytes, out, 0)
    let at = PROTO_HEADER_BYTES
    for (const part of this.parts) {
      part.copy(out, at)
      at += part.length
    }
    this.parts = []
    this.bytes = 0
    return out
  }
}
