// A node's UDF runtime: the registered modules and one Lua VM holding each of them compiled.
// Each node has its own (two nodes in one process never share modules).
// Compiling the VM's WebAssembly costs ~150 ms of CPU, so the node starts it right after it begins
// listening (start()), keeping process start fast; commands that need Lua before it is up wait.
import type { Env } from '@aerolite/protocol'
import { LuaVm, type CallBudget, type CallResult, type HostHandler } from './lua-vm.ts'
import { LUA_RECORD_SOURCE } from './lua-record.ts'
import { LUA_SANDBOX_SOURCE } from './lua-sandbox.ts'
import { LUA_STREAM_SOURCE } from './lua-stream.ts'
import { LUA_TYPES_SOURCE } from './lua-types.ts'
import { ModuleStore, newUdfModule, type UdfModule } from './module-store.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { UdfLogSink } from './udf-record.ts'

/** Modules are named as if loaded from Aerospike's default user path, so errors read the same. */
export const MODULE_DIR = '/opt/aerospike/usr/udf/lua'

/** The message of a call stopped by its instruction or time budget (Aerospike's). */
export const TIMEOUT_MESSAGE = 'UDF Execution Timeout'

export interface CompileError {
  file: string
  line: number
  message: string
}

/** aerospike:log levels as Aerospike numbers them (0 critical, 1 warning, 2 info, 3 debug, 4 detail). */
const LOG_LEVELS: Readonly<Record<number, 'warn' | 'info' | 'debug' | 'trace'>> = { 1: 'warn', 2: 'info', 3: 'debug', 4: 'trace' }

/** The failure message of a call into a module that is not registered (Aerospike's). */
const MODULE_MISSING = 'UDF: Execution Error 1'

/** The name check() compiles under: ';' separates info parameters, so no registered module has it. */
const CHECK_MODULE_NAME = ';check'

const ENTRY_POINTS = ['define', 'forget', 'apply', 'apply_stream'] as const

type Api = Record<(typeof ENTRY_POINTS)[number], number>

export type StreamResult = { ok: true } | { ok: false; message: string }

export class UdfRuntime {
  readonly modules = new ModuleStore()
  private starting: Promise<void> | undefined
  private vm: LuaVm | undefined
  private api: Api | undefined
  private startError: string | undefined
  private readonly env: Pick<Env, 'clock' | 'scheduler'>
  /** Where aerospike:log and info()/warn()/... lines go; dropped until the node names a sink. */
  log: UdfLogSink = () => {}

  /** Call deadlines are on the env's monotonic time; the VM compiles off its clock. */
  constructor(env: Pick<Env, 'clock' | 'scheduler'>) {
    this.env = env
  }

  /** Settles when the VM is up (or failed to start: then every call fails with startError); starts it if needed. */
  get ready(): Promise<void> {
    return this.start()
  }

  /** Starts the VM once; later calls return the same promise. */
  start(): Promise<void> {
    this.starting ??= this.env.scheduler.offClock(() => LuaVm.start(TIMEOUT_MESSAGE, limits.maxLuaVmMemoryBytes, this.env.clock)).then(
      (vm) => {
        const refs = vm.boot(LUA_TYPES_SOURCE + LUA_RECORD_SOURCE + LUA_STREAM_SOURCE + LUA_SANDBOX_SOURCE, '=aerospike', ENTRY_POINTS)
        this.api = { define: refs.get('define')!, forget: refs.get('forget')!, apply: refs.get('apply')!, apply_stream: refs.get('apply_stream')! }
        this.vm = vm
        for (const module of this.modules.all()) this.define(module)
      },
      (err: unknown) => {
        this.startError = `the Lua VM did not start: ${err instanceof Error ? err.message : String(err)}`
      },
    )
    return this.starting
  }

  /** Sends aerospike:log and info()/warn()/... lines to the node's log at the matching level. */
  logTo(logger: Logger): void {
    this.log = (level, message) => logger[LOG_LEVELS[level] ?? 'error']({ context: 'udf' }, message)
  }

  get isReady(): boolean {
    return this.vm !== undefined || this.startError !== undefined
  }

  /** Registers a module; a module that does not compile (or whose top level fails) is refused. */
  put(fileName: string, contentBase64: string, source: Buffer): CompileError | undefined {
    const module = newUdfModule(fileName, contentBase64, source)
    if (this.vm !== undefined) {
      const error = this.define(module)
      if (error !== undefined) return error
    }
    this.modules.put(module)
    return undefined
  }

  remove(fileName: string): void {
    const module = this.modules.get(fileName)
    if (module === undefined) return
    this.modules.remove(fileName)
    if (this.vm !== undefined && this.api !== undefined) this.vm.call(this.api.forget, [module.moduleName], this.callBudget(limits.maxUdfCallMs), noHost)
  }

  /**
   * Calls moduleName.functionName(rec, args...) with argList (a msgpack array). The result is the
   * msgpack of the return value, or the failure message Aerospike would put in the FAILURE bin.
   */
  apply(moduleName: string, functionName: string, argList: Buffer, timeLimitMs: number, host: HostHandler): CallResult {
    if (this.vm === undefined || this.api === undefined) return { ok: false, message: this.startError ?? MODULE_MISSING, status: 1 }
    return this.vm.call(this.api.apply, [moduleName, functionName, argList], this.callBudget(timeLimitMs), host)
  }

  /**
   * Runs moduleName.functionName(stream, args...) over one batch of records. host serves NEXT (open
   * the batch's next record), EMIT (a value handed out) and the record operations. A failure carries
   * the message Aerospike puts in the FAILURE bin: "UDF: Execution Error <Lua status> : <error>".
   */
  applyStream(moduleName: string, functionName: string, argList: Buffer, host: HostHandler): StreamResult {
    if (this.vm === undefined || this.api === undefined) return { ok: false, message: this.startError ?? MODULE_MISSING }
    if (!this.modules.hasModule(moduleName)) return { ok: false, message: MODULE_MISSING }
    const result = this.vm.call(this.api.apply_stream, [moduleName, functionName, argList], this.callBudget(limits.maxUdfCallMs), host)
    if (result.ok) return { ok: true }
    const code = `UDF: Execution Error ${result.status}`
    return { ok: false, message: result.message === undefined ? code : `${code} : ${result.message}` }
  }

  /**
   * Compiles a module and runs its top level, as put() does, without registering it: the error
   * put() would answer, if any (a cluster checks a module before every node registers it). Needs
   * the VM: call after `ready`.
   */
  check(fileName: string, source: Buffer): CompileError | undefined {
    if (this.vm === undefined || this.api === undefined) return undefined
    const error = this.defineAs(CHECK_MODULE_NAME, fileName, source)
    this.vm.call(this.api.forget, [CHECK_MODULE_NAME], this.callBudget(limits.maxUdfCallMs), noHost)
    return error
  }

  private define(module: UdfModule): CompileError | undefined {
    return this.defineAs(module.moduleName, module.fileName, module.source)
  }

  private defineAs(moduleName: string, fileName: string, source: Buffer): CompileError | undefined {
    const chunkName = `@${MODULE_DIR}/${fileName}`
    const result = this.vm!.call(this.api!.define, [moduleName, source, chunkName], this.callBudget(limits.maxUdfCallMs), noHost)
    if (result.ok && result.value === undefined) return undefined
    const message = result.ok ? result.value!.toString('utf8') : result.message ?? 'module failed to load'
    return parseCompileError(fileName, message)
  }

  private callBudget(timeLimitMs: number): CallBudget {
    return {
      instructions: limits.maxUdfInstructionsPerCall,
      deadlineMs: this.env.clock.monotonicMs() + Math.min(timeLimitMs, limits.maxUdfCallMs),
      memoryBytes: limits.maxUdfCallMemoryBytes,
    }
  }
}

/** Module top levels run without a record: any host call is refused. */
const noHost: HostHandler = () => {
  throw new Error('no record is open while a module loads')
}

/** Splits "<chunk>:<line>: <message>" as Aerospike's udf-put reply reports it. */
export function parseCompileError(fileName: string, text: string): CompileError {
  const match = /^(?:.*?):(\d+): ([\s\S]*)$/.exec(text)
  if (match === null) return { file: fileName, line: 0, message: text }
  return { file: fileName, line: Number(match[1]), message: match[2]! }
}
