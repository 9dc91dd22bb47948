// Structured logs (pino). Without configured sinks logs go to stderr, keeping stdout free for the
// one "ready" line; `logging { file PATH { context any LEVEL } }` adds files, each at its level.
import { pino, type Logger } from 'pino'
import type { LoggingConfig } from './config/index.ts'

export type { Logger }

export function createLogger(logging: LoggingConfig): Logger {
  const sinks = logging.sinks.filter((sink) => sink.level !== 'silent')
  if (sinks.length === 0 && logging.sinks.length > 0) return pino({ level: 'silent' })
  if (sinks.length === 0) return pino({ level: logging.level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }))
  const streams = sinks.map((sink) => ({
    level: sink.level,
    stream: sink.path === undefined ? pino.destination({ fd: 2, sync: false }) : pino.destination({ dest: sink.path, mkdir: true, sync: false }),
  }))
  return pino({ level: logging.level, base: { pid: process.pid } }, pino.multistream(streams))
}
