// One Lua 5.4 VM (wasmoon: Lua compiled to WebAssembly) with the limits of a sandbox: an allocator
// that counts bytes against a cap, and a count hook that ends a call past its instruction budget or
// its deadline. Values cross between JS and Lua only as strings (msgpack, names, messages).
import { createRequire } from 'node:module'
import type { Clock } from '@aerolite/protocol'
import type { LuaWasm } from 'wasmoon'

/** Status code and hook mask of lua.h. */
const LUA_OK = 0
const LUA_MASKCOUNT = 8
/** lua_type results. */
const LUA_TNIL = 0
const LUA_TBOOLEAN = 1
const LUA_TNUMBER = 3
const LUA_TSTRING = 4

/** Instructions between two hook calls: small enough to stop promptly, large enough to cost nothing. */
const HOOK_INSTRUCTIONS = 10000

/** What one call may use. */
export interface CallBudget {
  instructions: number
  /** On the VM's clock's monotonic time. */
  deadlineMs: number
  /** Bytes the VM may grow by during the call. */
  memoryBytes: number
}

/** A value a host function receives from Lua or gives back. */
export type HostValue = string | number | boolean | Buffer | undefined

/** Serves host(op, ...) calls from Lua; returns the values to hand back. */
export type HostHandler = (args: HostValue[]) => HostValue[]

/**
 * A function's result: the string it returned (undefined for any other value), or its error message
 * (undefined when the error value was not a string) and Lua's status code (2 runtime, 4 memory).
 */
export type CallResult = { ok: true; value: Buffer | undefined } | { ok: false; message: string | undefined; status: number }

interface EmscriptenHeap {
  HEAPU8: Uint8Array
  HEAPU32: Uint32Array
  _malloc(bytes: number): number
  _free(pointer: number): void
  _realloc(pointer: number, bytes: number): number
  addFunction(fn: (...args: number[]) => number | void, signature: string): number
}

/** The raw exports used here (pointers in, pointers out), faster than wasmoon's string wrappers. */
interface RawLua {
  _lua_pushlstring(L: number, s: number, len: number): number
  _lua_tolstring(L: number, idx: number, lenOut: number): number
  _lua_settop(L: number, idx: number): void
  _lua_gettop(L: number): number
  _lua_type(L: number, idx: number): number
  _lua_toboolean(L: number, idx: number): number
  _lua_tonumberx(L: number, idx: number, isnum: number): number
  _lua_pushnumber(L: number, n: number): void
  _lua_pushinteger(L: number, n: bigint): void
  _lua_pushboolean(L: number, b: number): void
  _lua_pushnil(L: number): void
  _lua_rawgeti(L: number, idx: number, n: bigint): number
  _lua_pcallk(L: number, nargs: number, nresults: number, errfunc: number, ctx: number, k: number): number
  _lua_error(L: number): number
  _lua_concat(L: number, n: number): void
  _luaL_where(L: number, level: number): void
  _luaL_ref(L: number, t: number): number
  _lua_sethook(L: number, fn: number, mask: number, count: number): void
}

type Module = EmscriptenHeap & RawLua

const REGISTRY_INDEX = -1001000

export class LuaVm {
  private readonly module: Module
  private readonly L: number
  /** Scratch word for lua_tolstring's length out-parameter. */
  private readonly lengthSlot: number
  private usedBytes = 0
  private limitBytes: number
  private instructionsLeft = Number.MAX_SAFE_INTEGER
  private deadlineMs = Number.MAX_SAFE_INTEGER
  private handler: HostHandler | undefined
  /** An allocation failed in the current call. */
  private memoryExhausted = false
  private readonly wasmoon: LuaWasm
  private readonly timeoutMessage: string
  /** The VM's memory never grows past this, between calls either. */
  private readonly capBytes: number
  /** Deadlines are on this clock's monotonic time. */
  private readonly clock: Clock

  private constructor(lua: LuaWasm, timeoutMessage: string, capBytes: number, clock: Clock) {
    this.wasmoon = lua
    this.clock = clock
    this.module = lua.module as unknown as Module
    this.timeoutMessage = timeoutMessage
    this.capBytes = capBytes
    this.limitBytes = capBytes
    const m = this.module
    const alloc = m.addFunction((_ud: number, pointer: number, oldBytes: number, newBytes: number): number => {
      if (newBytes === 0) {
        if (pointer !== 0) {
          this.usedBytes -= oldBytes
          m._free(pointer)
        }
        return 0
      }
      // For a new block Lua passes a type tag, not a size, as oldBytes.
      const growth = pointer !== 0 ? newBytes - oldBytes : newBytes
      if (growth > 0 && (this.memoryExhausted || this.usedBytes + growth > this.limitBytes)) {
        // Refusing every later growth too ends the call at once, instead of Lua collecting
        // garbage and retrying near the limit for a long while.
        this.memoryExhausted = true
        return 0
      }
      const out = m._realloc(pointer, newBytes)
      if (out !== 0) this.usedBytes += growth
      return out
    }, 'iiiii')
    this.L = lua.lua_newstate(alloc, null)
    if (this.L === 0) throw new Error('the Lua VM could not start')
    lua.luaL_openlibs(this.L)
    this.lengthSlot = m._malloc(4)
    const hook = m.addFunction((L: number): void => this.onHook(L), 'vii')
    m._lua_sethook(this.L, hook, LUA_MASKCOUNT, HOOK_INSTRUCTIONS)
  }

  /** Starts a VM; timeoutMessage is the error a call past its budget raises; budgets' deadlines are on clock's monotonic time. */
  static async start(timeoutMessage: string, capBytes: number, clock: Clock): Promise<LuaVm> {
    // wasmoon is loaded at run time rather than bundled: it finds its .wasm file beside itself.
    const { LuaWasm: Wasm } = createRequire(import.meta.url)('wasmoon') as typeof import('wasmoon')
    return new LuaVm(await Wasm.initialize(), timeoutMessage, capBytes, clock)
  }

  get memoryUsedBytes(): number {
    return this.usedBytes
  }

  /**
   * Runs a chunk of Lua source (the environment) with the host function as its argument. The chunk
   * returns a table of functions; the result maps each name to a reference that call() takes.
   */
  boot(source: string, chunkName: string, names: readonly string[]): Map<string, number> {
    const m = this.module
    const L = this.L
    const hostFn = m.addFunction((state: number): number => this.onHost(state), 'ii')
    if (this.wasmoon.luaL_loadbufferx(L, source, Buffer.byteLength(source), chunkName, 't') !== LUA_OK) {
      throw new Error(`the Lua environment does not compile: ${this.popString()}`)
    }
    this.wasmoon.lua_pushcclosure(L, hostFn, 0)
    if (m._lua_pcallk(L, 1, 1, 0, 0, 0) !== LUA_OK) throw new Error(`the Lua environment failed: ${this.popString()}`)
    const refs = new Map<string, number>()
    for (const name of names) {
      this.wasmoon.lua_getfield(L, -1, name)
      refs.set(name, m._luaL_ref(L, REGISTRY_INDEX))
    }
    m._lua_settop(L, -2)
    return refs
  }

  /**
   * Calls a function booted earlier with args, under a budget, serving its host() calls with host.
   * A Lua error (including a budget overrun) is returned, never thrown.
   */
  call(fn: number, args: readonly HostValue[], budget: CallBudget, host: HostHandler): CallResult {
    const m = this.module
    const L = this.L
    const top = m._lua_gettop(L)
    this.handler = host
    this.instructionsLeft = budget.instructions
    this.deadlineMs = budget.deadlineMs
    this.limitBytes = Math.min(this.usedBytes + budget.memoryBytes, this.capBytes)
    try {
      m._lua_rawgeti(L, REGISTRY_INDEX, BigInt(fn))
      for (const arg of args) this.pushValue(L, arg)
      const status = m._lua_pcallk(L, args.length, 1, 0, 0, 0)
      if (status === LUA_OK) {
        const result = this.toValue(L, -1)
        return { ok: true, value: Buffer.isBuffer(result) ? result : undefined }
      }
      const error = this.toValue(L, -1)
      return { ok: false, message: Buffer.isBuffer(error) ? error.toString('utf8') : undefined, status }
    } finally {
      m._lua_settop(L, top)
      this.handler = undefined
      this.instructionsLeft = Number.MAX_SAFE_INTEGER
      this.deadlineMs = Number.MAX_SAFE_INTEGER
      this.limitBytes = this.capBytes
      this.memoryExhausted = false
    }
  }

  private onHook(L: number): void {
    this.instructionsLeft -= HOOK_INSTRUCTIONS
    if (this.instructionsLeft > 0 && this.clock.monotonicMs() <= this.deadlineMs) return
    const m = this.module
    m._luaL_where(L, 0)
    this.pushBytes(L, Buffer.from(this.timeoutMessage, 'utf8'))
    m._lua_concat(L, 2)
    m._lua_error(L)
  }

  private onHost(L: number): number {
    const m = this.module
    const count = m._lua_gettop(L)
    const args: HostValue[] = []
    for (let i = 1; i <= count; i++) args.push(this.toValue(L, i))
    let results: HostValue[] = []
    let failure: string | undefined
    try {
      if (this.handler === undefined) throw new Error('host called outside a call')
      results = this.handler(args)
    } catch (err) {
      // Only the handler's own errors are caught; a Lua error unwinding through here passes on.
      if (!(err instanceof Error)) throw err
      failure = err.message
    }
    if (failure !== undefined) {
      this.pushBytes(L, Buffer.from(failure, 'utf8'))
      m._lua_error(L)
      return 0
    }
    for (const value of results) this.pushValue(L, value)
    return results.length
  }

  private toValue(L: number, idx: number): HostValue {
    const m = this.module
    switch (m._lua_type(L, idx)) {
      case LUA_TNIL: return undefined
      case LUA_TBOOLEAN: return m._lua_toboolean(L, idx) !== 0
      case LUA_TNUMBER: return m._lua_tonumberx(L, idx, 0)
      case LUA_TSTRING: return this.readString(L, idx)
      default: return undefined
    }
  }

  private pushValue(L: number, value: HostValue): void {
    const m = this.module
    if (value === undefined) m._lua_pushnil(L)
    else if (typeof value === 'boolean') m._lua_pushboolean(L, value ? 1 : 0)
    else if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) m._lua_pushinteger(L, BigInt(value))
      else m._lua_pushnumber(L, value)
    } else if (typeof value === 'string') this.pushBytes(L, Buffer.from(value, 'utf8'))
    else this.pushBytes(L, value)
  }

  private pushBytes(L: number, bytes: Buffer): void {
    const m = this.module
    const at = m._malloc(Math.max(bytes.length, 1))
    m.HEAPU8.set(bytes, at)
    m._lua_pushlstring(L, at, bytes.length)
    m._free(at)
  }

  private readString(L: number, idx: number): Buffer {
    const m = this.module
    const at = m._lua_tolstring(L, idx, this.lengthSlot)
    const length = m.HEAPU32[this.lengthSlot >>> 2]!
    return Buffer.from(m.HEAPU8.subarray(at, at + length))
  }

  private popString(): string {
    const s = this.readString(this.L, -1).toString('utf8')
    this.module._lua_settop(this.L, -2)
    return s
  }
}
