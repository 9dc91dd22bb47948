// The Network of a real process: Node's TCP sockets.
import { connect, createServer, type Socket } from 'node:net'
import type { Network } from '@aerolite/protocol'
import { createSlabReadServer, type ClosableServer } from './slab-reads.ts'

function plainServer(onConnection: (socket: Socket) => void): ClosableServer {
  const server = createServer({ noDelay: true }, onConnection)
  return { server, close: (done) => server.close(() => done()) }
}

export const realNetwork: Network = {
  listen({ host, port, onConnection, onError, slabReads = false }) {
    const { server, close } = slabReads ? createSlabReadServer(onConnection) : plainServer(onConnection)
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject)
        server.on('error', onError)
        const address = server.address()
        if (address === null || typeof address === 'string') {
          server.close()
          return reject(new Error('the listening socket has no TCP address'))
        }
        resolve({ host: address.address, port: address.port, close })
      })
    })
  },
  connect: (host, port) => connect({ host, port }),
  // The check phase of Node's event loop follows the poll phase that delivered the turn's reads.
  turnEnd: (run) => { setImmediate(run) },
}
