// The info requests a client sent while tending a three-node Aerospike CE 8.1 cluster (replication
// factor 2; ../shared/vectors/13_cluster_tend.jsonl) get answers of the same shape from a node of
// a three-node Aerolite cluster: node ids, ports, generations and bitmaps differ, the form does not.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Connection, parseReplicas, requestInfo } from '@aerolite/client'
import { realEnv, startCluster, type EmbeddedCluster } from '@aerolite/server'
import { infoRows, readTrace, traceSkip } from '../wire/trace-replay.ts'

const TRACE = '13_cluster_tend'
const NODE_ID = /^[0-9A-F]{1,16}$/
const GENERATION = /^\d+$/
/** `<generation>,<default port>,[[<node id>,,[<host>:<port>]],...]`, as peers-clear-std answers. */
const PEERS = /^(\d+),(\d+),\[((?:\[[0-9A-F]{1,16},,\[[^\]]+\]\],?)*)\]$/

/** What each recorded answer must look like here, by command name. */
function sameShape(command: string, recorded: string, actual: string): void {
  const name = command.split(':')[0]!
  if (name === 'node') return assert.match(actual, NODE_ID)
  if (name === 'partition-generation' || name === 'peers-generation') return assert.match(actual, GENERATION, command)
  if (name === 'build') return assert.equal(actual, recorded)
  if (name === 'user-agent-set') return assert.equal(actual, recorded)
  if (name === 'peers-clear-std') {
    const [want, got] = [PEERS.exec(recorded), PEERS.exec(actual)]
    assert.ok(want !== null && got !== null, `peers answer ${actual}`)
    const peers = (text: string): number => (text.match(/\[[0-9A-F]+,,/g) ?? []).length
    return assert.equal(peers(got[3]!), peers(want[3]!), 'as many peers as recorded')
  }
  if (name === 'replicas') {
    const [want, got] = [parseReplicas(recorded), parseReplicas(actual)]
    assert.deepEqual(got.map((n) => [n.namespace, n.regime, n.bitmaps.length]), want.map((n) => [n.namespace, n.regime, n.bitmaps.length]))
    return
  }
  assert.fail(`no shape rule for ${command}`)
}

describe('a client tending a three-node cluster', { skip: traceSkip(TRACE), timeout: 60_000 }, () => {
  let cluster: EmbeddedCluster
  before(async () => {
    cluster = await startCluster({ nodes: 3, replicationFactor: 2, logLevel: 'silent' })
  })
  after(() => cluster?.stop())

  it('gets answers of the recorded shapes', async () => {
    const lines = readTrace(TRACE)
    const node = cluster.nodes[0]!
    const connection = await Connection.open(node.host, node.port, { env: realEnv })
    try {
      let compared = 0
      for (let i = 0; i + 1 < lines.length; i++) {
        const [request, reply] = [lines[i]!, lines[i + 1]!]
        if (request.dir !== 'c2s' || reply.dir !== 's2c' || reply.conn !== request.conn) continue
        const commands = infoRows(Buffer.from(request.hex, 'hex').subarray(8)).map(([name]) => name)
        const recorded = new Map(infoRows(Buffer.from(reply.hex, 'hex').subarray(8)))
        const actual = await requestInfo(connection, commands)
        for (const command of commands) sameShape(command, recorded.get(command) ?? '', actual.get(command) ?? '')
        compared += commands.length
      }
      assert.ok(compared >= 10, `compared ${compared} answers`)
    } finally {
      connection.destroy()
    }
  })
})
