// Info requests (proto type 1): command lines out, "command<TAB>value" lines back.
import { ProtoType, encodeFrame, parseInfoResponse } from '@aerolite/protocol'
import type { Connection } from './connection.ts'

export class InfoError extends Error {
  readonly code = 'ERR_INFO'
  constructor(message: string) {
    super(message)
    this.name = 'InfoError'
  }
}

export function encodeInfoRequest(commands: readonly string[]): Buffer {
  return encodeFrame(ProtoType.INFO, Buffer.from(commands.map((c) => `${c}\n`).join(''), 'utf8'))
}

/** Sends the commands in one request; resolves with command -> value (errors stay in the values). */
export async function requestInfo(connection: Connection, commands: readonly string[]): Promise<Map<string, string>> {
  const frame = await connection.request(encodeInfoRequest(commands))
  if (frame.type !== ProtoType.INFO) throw new InfoError(`${connection.host}:${connection.port} answered an info request with proto type ${frame.type}`)
  return parseInfoResponse(frame.body)
}

/** The value of one command; a missing answer or an ERROR/FAIL value throws naming the command. */
export function infoValue(answers: Map<string, string>, command: string, where: string): string {
  const value = answers.get(command)
  if (value === undefined) throw new InfoError(`${where} did not answer info command "${command}"`)
  if (value.startsWith('ERROR') || value.startsWith('FAIL')) throw new InfoError(`${where} answered info command "${command}" with ${value}`)
  return value
}
