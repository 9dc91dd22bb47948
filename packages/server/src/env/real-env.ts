// The Env of a real process: Node's clock, timers, crypto randomness, files and sockets.
import { randomFillSync } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { Clock, Env, Random, Scheduler, Timer } from '@aerolite/protocol'
import { realDisk } from './real-disk.ts'
import { realNetwork } from './real-network.ts'

export const realClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
}

export const realScheduler: Scheduler = {
  after(ms, run) {
    const handle = setTimeout(run, ms)
    return { cancel: () => clearTimeout(handle) }
  },
  every(ms, run) {
    const handle = setInterval(run, ms)
    handle.unref()
    return { cancel: () => clearInterval(handle) }
  },
  soon(run): Timer {
    const handle = setImmediate(run)
    return { cancel: () => clearImmediate(handle) }
  },
  yieldTurn: () => new Promise<void>((resolve) => setImmediate(resolve)),
  offClock: (work) => work(),
}

export const realRandom: Random = {
  float: () => Math.random(),
  fill: (bytes) => { randomFillSync(bytes) },
}

export const realEnv: Env = { clock: realClock, scheduler: realScheduler, random: realRandom, disk: realDisk, network: realNetwork }
