// /api/state, what the console polls: this node's state, every other member's (asked over the
// fabric, so the console of any node shows the whole cluster), and the alerts firing in the
// Alertmanager it was told of.
import type { Env } from '@aerolite/protocol'
import type { View } from '../cluster/view.ts'
import { MessageType, type FabricLink } from '../cluster/fabric-link.ts'
import { firingAlerts, type AlertsAnswer } from './alertmanager.ts'
import type { NodeState } from './console-state.ts'

/** How long the console waits for a peer's state; one that does not answer is shown unreachable. */
const PEER_STATE_TIMEOUT_MS = 1000
const NO_PAYLOAD = Buffer.alloc(0)

export type MemberState = NodeState | { nodeId: string; service: string; error: string }

export interface ConsoleState {
  /** The node that answered. */
  self: string
  nodes: MemberState[]
  /** Undefined when no Alertmanager is configured. */
  alerts: AlertsAnswer | undefined
}

export interface ConsoleSources {
  localState(): NodeState
  /** The cluster view and the fabric; undefined for a single node. */
  cluster: { view: View | undefined; fabric: FabricLink } | undefined
  alertmanagerUrl: string | undefined
  env: Env
}

/** Answers a peer's request for this node's state (registered once the node is in a cluster). */
export function serveNodeState(fabric: FabricLink, localState: () => NodeState): void {
  fabric.onMessage(MessageType.NODE_STATE, (_from, _payload, reply) => reply?.(Buffer.from(JSON.stringify(localState()), 'utf8')))
}

export async function consoleState(sources: ConsoleSources): Promise<ConsoleState> {
  const local = sources.localState()
  const alerts = sources.alertmanagerUrl === undefined ? undefined : firingAlerts(sources.env, sources.alertmanagerUrl)
  const members = sources.cluster?.view?.members ?? []
  const nodes = members.length === 0 ? [local] : await Promise.all(members.map(async (member): Promise<MemberState> => {
    if (member.nodeId === local.nodeId) return local
    const service = `${member.service.host}:${member.service.port}`
    try {
      const answer = await sources.cluster!.fabric.request(member.nodeId, MessageType.NODE_STATE, NO_PAYLOAD, PEER_STATE_TIMEOUT_MS)
      return JSON.parse(answer.toString('utf8')) as NodeState
    } catch (err) {
      return { nodeId: member.nodeId, service, error: err instanceof Error ? err.message : String(err) }
    }
  }))
  return { self: local.nodeId, nodes, alerts: await alerts }
}
