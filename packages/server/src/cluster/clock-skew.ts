// How far each peer's wall clock is from this node's, measured over the fabric as NTP does: the
// peer answers a probe with its wall time; the offset is that time less the midpoint of the round
// trip on this node's wall clock (the round trip itself timed on the monotonic clock, which no
// clock step moves). Record last-update times decide conflicts and expiry, so a skew of seconds
// is worth an alert: cluster_clock_skew_ms is the largest |offset| to a member of the view.
import type { Env, Timer } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { MessageType, type FabricLink } from './fabric-link.ts'

const NO_PAYLOAD = Buffer.alloc(0)

export class ClockSkew {
  private readonly fabric: FabricLink
  private readonly env: Env
  private readonly peers: () => readonly string[]
  /** Peer node id → its clock less this node's, in ms, from the latest answered probe. */
  private readonly offsetsMs = new Map<string, number>()
  private timer: Timer | undefined

  constructor(fabric: FabricLink, env: Env, peers: () => readonly string[]) {
    this.fabric = fabric
    this.env = env
    this.peers = peers
    fabric.onMessage(MessageType.CLOCK_PROBE, (_from, _payload, reply) => {
      const now = Buffer.allocUnsafe(8)
      now.writeDoubleBE(this.env.clock.nowMs(), 0)
      reply?.(now)
    })
  }

  start(): void {
    this.timer ??= this.env.scheduler.every(limits.clockProbeIntervalMs, () => this.probe())
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
  }

  /** The largest |offset| to a current peer (0 alone, or before any answer). */
  get maxSkewMs(): number {
    let max = 0
    for (const peer of this.peers()) max = Math.max(max, Math.abs(this.offsetsMs.get(peer) ?? 0))
    return Math.round(max)
  }

  private probe(): void {
    const peers = new Set(this.peers())
    for (const peer of this.offsetsMs.keys()) if (!peers.has(peer)) this.offsetsMs.delete(peer)
    for (const peer of peers) {
      const sentWallMs = this.env.clock.nowMs()
      const sentMs = this.env.clock.monotonicMs()
      this.fabric.request(peer, MessageType.CLOCK_PROBE, NO_PAYLOAD, limits.clockProbeTimeoutMs).then((answer) => {
        if (answer.length < 8) return
        const roundTripMs = this.env.clock.monotonicMs() - sentMs
        this.offsetsMs.set(peer, answer.readDoubleBE(0) - (sentWallMs + roundTripMs / 2))
      }, () => {
        // A view change or an unreachable peer: the next probe tries again.
      })
    }
  }
}
