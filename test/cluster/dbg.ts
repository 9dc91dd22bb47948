import { Connection, requestInfo } from '@aerolite/client'
import { realEnv, startCluster } from '@aerolite/server'
const cluster = await startCluster({ nodes: 3, replicationFactor: 2, logLevel: 'info' })
console.log(cluster.nodes)
for (let round = 0; round < 3; round++) {
  await new Promise((r) => setTimeout(r, 1500))
  for (const node of cluster.nodes) {
    const c = await Connection.open(node.host, node.port, { env: realEnv })
    const a = await requestInfo(c, ['cluster-stable:size=3', 'statistics', 'peers-clear-std'])
    c.destroy()
    console.log(node.port, a.get('cluster-stable:size=3'), a.get('statistics')!.split(';').slice(0, 12).join(';'), a.get('peers-clear-std'))
  }
}
await cluster.stop()
