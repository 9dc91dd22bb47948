// Client sockets read into per-connection slabs instead of a fresh buffer per read.
//
// Node reads a socket by allocating 64 KiB, shrinking it to what arrived and wrapping it in a new
// ArrayBuffer, then pushes it through a Readable stream (and a nextTick per read). Under small
// requests that was ~1.3 µs of CPU per operation of a bare Node server: malloc, the ArrayBuffer
// registry and sweeper, the stream (bench/results/issue-15-performance.md, "Fourth pass").
// Node's `onread` option reads into a buffer we hand it instead. Each connection gets a slab and
// reads land one after another in its unused tail, so a chunk is never overwritten: frames,
// messages and anything kept from them stay views, as before, and a slab is freed by the GC once
// no view of it remains. A read that fills its tail asks for a bigger slab next time (up to
// limits.maxReadSlabBytes), so large requests are not cut into many small reads.
//
// Node 20 offers `onread` only to sockets it constructs from options, not to those a server
// accepts: the server pauses each accepted socket (pauseOnConnect), which then gives its handle
// (the private `_handle`) up to a socket made with `onread`. Should a future Node not expose the
// handle, the accepted socket is used as it is.
import { Socket, createServer, type OnReadOpts, type Server, type SocketConstructorOpts } from 'node:net'
import { limits } from '../limits.ts'

/** The unused tail of a connection's current slab, where its next read lands. */
export class ReadSlab {
  private slabBytes = limits.readSlabBytes
  private slab = Buffer.allocUnsafeSlow(this.slabBytes)
  private used = 0

  /** Where the next read goes: the current slab's tail, or a new slab when too little is left. */
  next(): Buffer {
    if (this.slab.length - this.used < limits.minReadBytes) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes)
      this.used = 0
    }
    return this.slab.subarray(this.used)
  }

  /** Takes the `bytes` just read into `into` (the last buffer next() gave) and returns them. */
  took(bytes: number, into: Buffer): Buffer {
    this.used += bytes
    if (bytes === into.length) {
      // The read filled its space, so more was waiting: the next slab is bigger, and starts now.
      this.slabBytes = Math.min(this.slabBytes * 2, limits.maxReadSlabBytes)
      this.used = this.slab.length
    } else {
      this.slabBytes = limits.readSlabBytes
    }
    return into.subarray(0, bytes)
  }
}

interface HandleOwner { _handle?: unknown }

/** A listening server and how to close it: done once it has stopped and every socket it accepted has closed. */
export interface ClosableServer {
  server: Server
  close(done: () => void): void
}

/** A server whose accepted sockets read into slabs. */
export function createSlabReadServer(onConnection: (socket: Socket) => void): ClosableServer {
  // The server stops counting a socket that gives its handle up, so the taken-over ones are counted here.
  const open = new Set<Socket>()
  let whenAllClosed: (() => void) | undefined
  const server = createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
    const socket = withSlabReads(accepted)
    if (socket !== accepted) {
      open.add(socket)
      socket.once('close', () => {
        open.delete(socket)
        if (open.size === 0 && whenAllClosed !== undefined) {
          const done = whenAllClosed
          whenAllClosed = undefined
          done()
        }
      })
    }
    onConnection(socket)
  })
  return {
    server,
    close: (done) => server.close(() => {
      if (open.size === 0) done()
      else whenAllClosed = done
    }),
  }
}

/** A socket for a connection accepted paused (pauseOnConnect) whose 'data' chunks are views of its slabs. */
function withSlabReads(accepted: Socket): Socket {
  const owner = accepted as unknown as HandleOwner
  const handle = owner._handle
  if (handle === undefined || handle === null) {
    accepted.resume()
    return accepted
  }
  // The accepted socket lets go of the handle first, so destroying it closes nothing.
  owner._handle = null
  accepted.destroy()
  const slab = new ReadSlab()
  const onread: OnReadOpts = {
    buffer: () => slab.next(),
    // true: keep reading (pausing is the connection's, through pause()).
    callback: (bytes, into) => socket.emit('data', slab.took(bytes, into as Buffer)) || true,
  }
  // `handle` is not in Node's typings, though the constructor takes it (the server does just this).
  const socket = new Socket({ handle, readable: true, writable: true, onread } as SocketConstructorOpts)
  return socket
}
