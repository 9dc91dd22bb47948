// Structured logs (pino) to stderr, so stdout stays free for the one "ready" line.
import { pino, type Logger } from 'pino'
import type { LogLevel } from './config/index.ts'

export type { Logger }

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }))
}
