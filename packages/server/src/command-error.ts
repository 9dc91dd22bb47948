// A command that fails with an Aerospike result code; thrown inside a command, turned into a reply.
import { resultCodeInfo } from '@aerolite/protocol'

export class CommandError extends Error {
  readonly resultCode: number
  constructor(resultCode: number, detail?: string) {
    super(detail ?? resultCodeInfo(resultCode)?.message ?? `result code ${resultCode}`)
    this.name = 'CommandError'
    this.resultCode = resultCode
  }
}
