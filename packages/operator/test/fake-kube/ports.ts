// Loopback ports for pods. A pod keeps its ports across restarts and re-creations (its
// "address"), so they are picked once per pod name and never handed out twice by this process.
import { createServer } from 'node:net'
import type { PodPorts } from './pod-launch.ts'

const handedOut = new Set<number>()

/** A port that was free a moment ago: listen on port 0, note the port, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no TCP address'))))
    })
  })
}

async function newPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort()
    if (!handedOut.has(port)) {
      handedOut.add(port)
      return port
    }
  }
  throw new Error('no free port that was not handed out already after 50 attempts')
}

export async function allocatePodPorts(): Promise<PodPorts> {
  return { service: await newPort(), fabric: await newPort(), http: await newPort() }
}
