// Sends info commands to a node over one TCP connection, like asinfo.
import { connect } from 'node:net'
import { FrameParser, ProtoType, encodeFrame } from '@aerolite/protocol'

const MAX_INFO_REPLY_BYTES = 64 * 1024 * 1024

export function requestInfo(host: string, port: number, commands: readonly string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    const parser = new FrameParser(MAX_INFO_REPLY_BYTES)
    const fail = (err: Error): void => {
      socket.destroy()
      reject(err)
    }
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)))
    socket.on('error', (err) => fail(new Error(`cannot reach ${host}:${port}: ${err.message}`)))
    socket.on('connect', () => socket.write(encodeFrame(ProtoType.INFO, Buffer.from(commands.map((c) => `${c}\n`).join(''), 'utf8'))))
    socket.on('data', (chunk: Buffer) => {
      try {
        const [frame] = parser.push(chunk)
        if (frame === undefined) return
        socket.end()
        if (frame.type !== ProtoType.INFO) return reject(new Error(`expected an info reply, got proto type ${frame.type}`))
        resolve(frame.body.toString('utf8'))
      } catch (err) {
        fail(err as Error)
      }
    })
  })
}
