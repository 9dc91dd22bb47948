// Where a single-record command runs when the node is in a cluster: here, or (answered by the
// cluster) forwarded to the partition's master, after a wait for the view's plans, or refused with a
// code the clients retry on.
import type { RecordCommandResult } from './record-result.ts'
import type { CommandReply } from './reply.ts'
import type { RecordRequest } from './request.ts'

export interface RecordRouting {
  /**
   * undefined: run the command here. Otherwise its answer. `hops` counts how often the command was
   * forwarded already; `runHere` runs it on this node (after a wait).
   */
  route(req: RecordRequest, write: boolean, hops: number, runHere: () => Promise<CommandReply>): RecordCommandResult | undefined
}
