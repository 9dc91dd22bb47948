// One client connection: frames in, replies out, strictly in order. Commands run synchronously,
// so between two events no command is ever half done; drain only has to flush what is written.
import type { Socket } from 'node:net'
import {
  CompressionError, FrameError, FrameParser, MessageError, ProtoType, ResultCode, decodeMessage, decompressMessageBody,
  type Frame, type Message,
} from '@aerolite/protocol'
import type { Logger } from 'pino'
import { limits } from '../limits.ts'
import { headerReply } from '../commands/reply.ts'
import { securityNotEnabledReply } from './admin-reply.ts'

export interface ConnectionHandlers {
  info(body: Buffer): Buffer
  message(message: Message): { reply: Buffer; problem?: string }
}

export interface ConnectionOptions {
  maxFrameBytes: number
  idleTimeoutMs: number
  onReaped(): void
  onBadFrame(): void
}

export class ClientConnection {
  readonly socket: Socket
  private readonly parser: FrameParser
  private readonly handlers: ConnectionHandlers
  private readonly log: Logger
  private readonly options: ConnectionOptions
  private closing = false

  constructor(socket: Socket, handlers: ConnectionHandlers, log: Logger, options: ConnectionOptions) {
    this.socket = socket
    this.handlers = handlers
    this.log = log
    this.options = options
    this.parser = new FrameParser(options.maxFrameBytes)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => socket.resume())
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'client socket error'))
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => {
        this.log.debug('reaping idle client connection')
        options.onReaped()
        socket.destroy()
      })
    }
  }

  /** Stops reading and closes once every reply written so far is flushed. */
  drain(): void {
    this.closing = true
    this.socket.pause()
    this.socket.end()
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return
    let frames: Frame[]
    try {
      frames = this.parser.push(chunk)
    } catch (err) {
      if (!(err instanceof FrameError)) throw err
      this.options.onBadFrame()
      this.log.warn({ remote: this.socket.remoteAddress, code: err.code }, `closing client connection: ${err.message}`)
      this.socket.destroy()
      return
    }
    for (const frame of frames) {
      const reply = this.handle(frame)
      if (reply === undefined) return
      this.socket.write(reply)
    }
    // Back-pressure: a client that does not read its replies stops being read.
    if (this.socket.writableLength > limits.maxPendingReplyBytes) this.socket.pause()
  }

  /** Returns the reply, or undefined when the connection had to be closed. */
  private handle(frame: Frame): Buffer | undefined {
    switch (frame.type) {
      case ProtoType.INFO:
        if (frame.body.length > limits.maxInfoRequestBytes) return this.reject(`info request of ${frame.body.length} bytes`)
        return this.handlers.info(frame.body)
      case ProtoType.ADMIN:
        return securityNotEnabledReply()
      case ProtoType.MESSAGE:
        return this.message(frame.body)
      case ProtoType.COMPRESSED:
        try {
          return this.message(decompressMessageBody(frame.body, this.options.maxFrameBytes))
        } catch (err) {
          if (err instanceof CompressionError) return this.reject(err.message)
          throw err
        }
    }
    return this.reject(`proto type ${frame.type}`)
  }

  private message(body: Buffer): Buffer | undefined {
    let result: { reply: Buffer; problem?: string }
    try {
      result = this.handlers.message(decodeMessage(body))
    } catch (err) {
      if (!(err instanceof MessageError)) throw err
      // A message that does not parse leaves the stream position in doubt: answer, then close.
      this.options.onBadFrame()
      this.log.warn({ remote: this.socket.remoteAddress }, `malformed message: ${err.message}`)
      this.socket.end(headerReply(ResultCode.PARAMETER_ERROR))
      this.closing = true
      return undefined
    }
    if (result.problem !== undefined) this.log.debug({ remote: this.socket.remoteAddress }, result.problem)
    return result.reply
  }

  private reject(what: string): undefined {
    this.options.onBadFrame()
    this.log.warn({ remote: this.socket.remoteAddress }, `closing client connection: unsupported ${what}`)
    this.socket.destroy()
    return undefined
  }
}
