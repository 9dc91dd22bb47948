// Node ids are 64-bit and shown as upper-case hex. Like Aerospike's (service port in the top 16
// bits over a 48-bit hardware id), ours combine the port with a hash of the host name.
import { createHash } from 'node:crypto'
import { hostname } from 'node:os'

export function deriveNodeId(port: number, host = hostname()): string {
  const hardware = createHash('sha1').update(host).digest().readUIntBE(0, 6)
  return ((BigInt(port & 0xffff) << 48n) | BigInt(hardware)).toString(16).toUpperCase()
}
