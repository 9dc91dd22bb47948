// One client connection: frames in, replies out, strictly in order. Single-record commands run
// synchronously; a scan streams its frames, and a reply that must wait (its change settling, or
// its record busy) holds back the frames after it until it has left. At most
// limits.maxQueuedFramesPerConnection frames wait: past that the socket is not read (TCP pushes
// back on the client) until the queue drains, so a client pipelining behind a long scan cannot
// grow the queue without bound. Replies are held until the end of the event-loop turn
// (service/reply-batch.ts) and leave together.
import {
  CompressionError, FrameError, FrameParser, MessageError, ProtoType, ResultCode, decodeMessage, decompressMessageBody,
  type Clock, type Frame, type Message, type NetSocket, type Scheduler,
} from '@aerolite/protocol'
import type { Logger } from 'pino'
import { limits } from '../limits.ts'
import { headerReply } from '../commands/reply.ts'
import type { DispatchResult } from '../commands/dispatch.ts'
import type { CommandReply } from '../commands/reply.ts'
import { whenSettled } from '../commands/record-result.ts'
import { securityNotEnabledReply } from './admin-reply.ts'
import { IdleReaper } from './idle-reaper.ts'
import type { BatchedWriter, ReplyBatch } from './reply-batch.ts'

export interface ConnectionHandlers {
  /** An info reply frame, or (rarely) a stream when the answer must wait. */
  info(body: Buffer): Buffer | DispatchResult
  message(message: Message): DispatchResult
}

export interface ConnectionOptions {
  maxFrameBytes: number
  /** proto-fd-idle-ms; 0 = never reaped. */
  idleTimeoutMs: number
  /** The node's time, for idle reaping. */
  env: { clock: Clock; scheduler: Scheduler }
  /** Where replies wait for the end of the turn. */
  replyBatch: ReplyBatch
  onReaped(): void
  onBadFrame(): void
}

type Handled = Buffer | DispatchResult | undefined

export class ClientConnection implements BatchedWriter {
  readonly socket: NetSocket
  private readonly parser: FrameParser
  private readonly handlers: ConnectionHandlers
  private readonly log: Logger
  private readonly options: ConnectionOptions
  private readonly queue: Frame[] = []
  /** Replies answered this turn and not yet written: the first replyCount slots (the array is kept, not made per turn). */
  private readonly replies: (Buffer | undefined)[] = []
  private replyCount = 0
  private replyBytes = 0
  private streaming = false
  private closing = false
  private closed = false
  private readonly idleReaper: IdleReaper | undefined

  constructor(socket: NetSocket, handlers: ConnectionHandlers, log: Logger, options: ConnectionOptions) {
    this.socket = socket
    this.handlers = handlers
    this.log = log
    this.options = options
    this.parser = new FrameParser(options.maxFrameBytes)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.applyBackPressure())
    socket.on('close', () => {
      this.closed = true
      this.idleReaper?.stop()
    })
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'client socket error'))
    // Once a draining connection's replies are flushed it is closed outright: a client's idle pooled
    // connection would otherwise stay half open, and hold the drain, until the client next used it.
    socket.on('finish', () => {
      if (this.closing) socket.destroy()
    })
    if (options.idleTimeoutMs > 0) {
      this.idleReaper = new IdleReaper(options.idleTimeoutMs, options.env, () => this.streaming, () => {
        this.log.debug('reaping idle client connection')
        options.onReaped()
        socket.destroy()
      })
    }
  }

  /** Cuts the connection at once, replies unsent (a killed process). */
  abort(): void {
    this.closing = true
    this.dropReplies()
    this.socket.destroy()
  }

  /** Stops reading and closes once every reply written so far is flushed (a running scan first ends). */
  drain(): void {
    this.closing = true
    this.socket.pause()
    if (!this.streaming) this.end()
  }

  flushReplies(): void {
    if (this.replyCount === 0) return
    if (!this.closed) {
      // Replies to pipelined requests leave in one write instead of one per reply.
      const corked = this.replyCount > 1
      if (corked) this.socket.cork()
      // The count is read on every step: a reply held during these writes leaves with them.
      for (let i = 0; i < this.replyCount; i++) this.socket.write(this.replies[i]!)
      if (corked) this.socket.uncork()
    }
    this.dropReplies()
    if (!this.closed) this.applyBackPressure()
  }

  private dropReplies(): void {
    // The slots stay for the next turn, unless a pipelining client made many.
    if (this.replies.length > limits.keptReplySlotsPerConnection) this.replies.length = 0
    else this.replies.fill(undefined, 0, this.replyCount)
    this.replyCount = 0
    this.replyBytes = 0
  }

  /** Holds a reply for the end of the turn. */
  private write(reply: Buffer): void {
    if (this.replyCount === 0) this.options.replyBatch.add(this)
    this.replies[this.replyCount++] = reply
    this.replyBytes += reply.length
  }

  /** Ends the connection once every reply so far is written. */
  private end(): void {
    this.flushReplies()
    this.socket.end()
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return
    this.idleReaper?.touch()
    const queuedBefore = this.queue.length
    try {
      this.parser.push(chunk, this.queue)
    } catch (err) {
      if (!(err instanceof FrameError)) throw err
      // The frames of this read before the bad one are dropped with it, never run.
      this.queue.length = queuedBefore
      this.options.onBadFrame()
      this.log.warn({ remote: this.socket.remoteAddress, code: err.code }, `closing client connection: ${err.message}`)
      this.cut()
      return
    }
    if (this.queue.length >= limits.maxQueuedFramesPerConnection) this.socket.pause()
    this.pump()
  }

  /** Frames received and not yet answered (bounded by limits.maxQueuedFramesPerConnection, give or take one read). */
  get queuedFrames(): number {
    return this.queue.length
  }

  /** Answers queued frames in order until one starts a stream. */
  private pump(): void {
    while (!this.streaming && !this.closed && this.queue.length > 0) {
      const handled = this.handle(this.queue.shift()!)
      if (handled === undefined) break
      if (Buffer.isBuffer(handled)) this.write(handled)
      else if ('stream' in handled) void this.runStream(handled.stream)
      else if ('reply' in handled && handled.settled === undefined) this.send(handled)
      else void this.runLater(whenSettled(handled))
    }
    this.applyBackPressure()
  }

  /** A client that does not read its replies, or sends more than waits, stops being read. */
  private applyBackPressure(): void {
    if (this.socket.writableLength + this.replyBytes > limits.maxPendingReplyBytes || this.queue.length >= limits.maxQueuedFramesPerConnection) this.socket.pause()
    else if (this.socket.isPaused() && !this.closing) this.socket.resume()
  }

  private send(answer: CommandReply): void {
    if (answer.fault !== undefined) this.log.error({ err: answer.fault }, answer.problem ?? 'command failed')
    else if (answer.problem !== undefined) this.log.debug({ remote: this.socket.remoteAddress }, answer.problem)
    this.write(answer.reply)
  }

  /** Sends one reply that is not ready yet; the frames after it wait. */
  private async runLater(answer: Promise<CommandReply>): Promise<void> {
    this.streaming = true
    try {
      const ready = await answer
      if (!this.closed) this.send(ready)
    } catch (err) {
      // A fault of ours in a command that waited fails that command, not the node.
      if (!this.closed) this.send({ reply: headerReply(ResultCode.SERVER_ERROR), problem: 'command failed', fault: err })
    } finally {
      this.streaming = false
    }
    if (this.closing) this.end()
    else this.pump()
  }

  private async runStream(stream: Extract<DispatchResult, { stream: unknown }>['stream']): Promise<void> {
    this.streaming = true
    // A stream writes as it goes, after the replies before it.
    this.flushReplies()
    try {
      for await (const frame of stream({ aborted: () => this.closed })) {
        if (this.closed) return
        if (!this.socket.write(frame)) await this.writable()
      }
    } catch (err) {
      this.log.error({ err: String(err) }, 'scan failed')
      this.socket.destroy()
      return
    } finally {
      this.streaming = false
    }
    if (this.closing) this.end()
    else this.pump()
  }

  private writable(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  /** Returns the reply, or undefined when the connection had to be closed. */
  private handle(frame: Frame): Handled {
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

  private message(body: Buffer): Handled {
    try {
      return this.handlers.message(decodeMessage(body))
    } catch (err) {
      if (!(err instanceof MessageError)) {
        // A fault of ours in one command fails that command, not the node.
        this.log.error({ err }, 'command failed')
        return headerReply(ResultCode.SERVER_ERROR)
      }
      // A message that does not parse leaves the stream position in doubt: answer, then close.
      this.options.onBadFrame()
      this.log.warn({ remote: this.socket.remoteAddress }, `malformed message: ${err.message}`)
      this.write(headerReply(ResultCode.PARAMETER_ERROR))
      this.end()
      this.closing = true
      return undefined
    }
  }

  private reject(what: string): undefined {
    this.options.onBadFrame()
    this.log.warn({ remote: this.socket.remoteAddress }, `closing client connection: unsupported ${what}`)
    this.cut()
    return undefined
  }

  /** Closes a connection whose input cannot be trusted, after the replies it has earned. */
  private cut(): void {
    this.flushReplies()
    this.socket.destroy()
  }
}
