// One pod's container as a kubelet runs it: an `aerolite start` process, started (and restarted
// after a crash, with a short back-off) until the pod is deleted; its readiness from the node's
// /ready; its termination (SIGTERM, SIGKILL after the grace period). Every child is tracked and
// killed when the test process exits, as a last resort.
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, closeSync, openSync } from 'node:fs'
import { request } from 'node:http'
import { constants } from 'node:os'
import type { ContainerState, PodStatus } from './kube-types.ts'
import { timestamp } from './objects.ts'
import { LOOPBACK, LaunchError, type Launch } from './pod-launch.ts'

const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/** The ready line of `aerolite start` (README: "aerolite start"). */
const READY_LINE = /^aerolite ready on /m

/** How long a readiness probe may take; how long a SIGKILLed process may take to be reaped. */
const PROBE_TIMEOUT_MS = 1000
const KILL_WAIT_MS = 5000

/** A real kubelet backs off from 10 s to 5 min; tests cannot wait that long. */
function restartBackoffMs(restartCount: number): number {
  return Math.min(200 * 2 ** Math.max(0, restartCount - 1), 10_000)
}

export interface PodWorkerOptions {
  uid: string
  containerName: string
  image: string
  httpPort: number
  logPath: string
  readyPollMs: number
  /** Builds the launch from the pod as it is now (a restart reads the ConfigMap again). */
  prepare(): Launch
  /** The status changed: write it to the pod. */
  onStatus(): void
  onEvent(type: 'Normal' | 'Warning', reason: string, message: string): void
}

/** Answers with the HTTP status of GET url, or 0 when none came within timeoutMs. */
function probe(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.once('timeout', () => req.destroy())
    req.once('error', () => resolve(0))
    req.end()
  })
}

export class PodWorker {
  readonly uid: string
  private readonly options: PodWorkerOptions
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private phase: 'Pending' | 'Running' = 'Pending'
  private ready = false
  private readyChangedAt = timestamp()
  private readonly startTime = timestamp()
  private restartCount = 0
  private state: ContainerState = { waiting: { reason: 'ContainerCreating' } }
  private lastState: ContainerState = {}
  private image: string
  private launchError: string | undefined
  private restartTimer: NodeJS.Timeout | undefined
  private probeTimer: NodeJS.Timeout | undefined
  private stopping = false

  constructor(options: PodWorkerOptions) {
    this.options = options
    this.uid = options.uid
    this.image = options.image
  }

  get terminating(): boolean {
    return this.stopping
  }

  /** Starts the container; a pod that cannot be run stays waiting until retry() finds it fixed. */
  start(): void {
    if (this.stopping || this.running) return
    let launch: Launch
    try {
      launch = this.options.prepare()
    } catch (err) {
      // Anything else (a file that cannot be written) is a failure to create the container too.
      const failure = err instanceof LaunchError ? err : new LaunchError('CreateContainerError', String(err))
      this.state = { waiting: { reason: failure.reason, message: failure.message } }
      if (this.launchError !== failure.message) this.options.onEvent('Warning', 'Failed', `Error: ${failure.message}`)
      this.launchError = failure.message
      this.options.onStatus()
      return
    }
    this.launchError = undefined
    this.image = launch.image
    this.spawn(launch)
  }

  /** A pod waiting for a missing ConfigMap (or the like) tries again; a running one is left alone. */
  retry(): void {
    if (this.launchError !== undefined) this.start()
  }

  private get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  private spawn(launch: Launch): void {
    const log = openSync(this.options.logPath, 'a')
    const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'pipe', log] })
    closeSync(log)
    child.once('error', (err) => appendFileSync(this.options.logPath, `fake-kubelet: ${err.message}\n`))
    this.child = child
    children.add(child)
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      children.delete(child)
      this.onExit(child, code, signal)
      resolve()
    }))
    this.state = { waiting: { reason: 'ContainerCreating' } }
    let stdout = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      appendFileSync(this.options.logPath, chunk)
      if (this.phase === 'Running' && this.state.running !== undefined) return
      stdout += chunk
      if (READY_LINE.test(stdout) && this.child === child) {
        this.phase = 'Running'
        this.state = { running: { startedAt: timestamp() } }
        this.options.onStatus()
      }
    })
    this.options.onStatus()
    this.scheduleProbe(child)
  }

  private scheduleProbe(child: ChildProcess): void {
    this.probeTimer = setTimeout(() => {
      void probe(`http://${LOOPBACK}:${this.options.httpPort}/ready`, PROBE_TIMEOUT_MS).then((code) => {
        if (this.child !== child || !this.running || this.stopping) return
        this.setReady(code === 200 && this.state.running !== undefined)
        this.scheduleProbe(child)
      })
    }, this.options.readyPollMs)
  }

  private setReady(ready: boolean): void {
    if (ready === this.ready) return
    this.ready = ready
    this.readyChangedAt = timestamp()
    this.options.onStatus()
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return
    clearTimeout(this.probeTimer)
    const exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal])
    this.lastState = {
      terminated: {
        exitCode,
        ...(signal === null ? {} : { signal: constants.signals[signal] }),
        reason: exitCode === 0 ? 'Completed' : 'Error',
        finishedAt: timestamp(),
      },
    }
    this.ready = false
    this.readyChangedAt = timestamp()
    if (this.stopping) {
      this.state = this.lastState
      this.options.onStatus()
      return
    }
    // Like a kubelet with restartPolicy Always: the same pod, one more restart.
    this.restartCount++
    const backoffMs = restartBackoffMs(this.restartCount)
    this.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${backoffMs}ms restarting failed container ${this.options.containerName}` } }
    this.options.onEvent('Warning', 'BackOff', `container exited with code ${exitCode}; restarting in ${backoffMs} ms`)
    this.options.onStatus()
    this.restartTimer = setTimeout(() => this.start(), backoffMs)
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone (bounded). */
  async terminate(graceMs: number): Promise<void> {
    this.stopping = true
    clearTimeout(this.restartTimer)
    this.setReady(false)
    const child = this.child
    if (child === undefined || !this.running) return
    this.options.onEvent('Normal', 'Killing', `Stopping container ${this.options.containerName}`)
    child.kill('SIGTERM')
    const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await this.bounded(graceMs + KILL_WAIT_MS)
    clearTimeout(killTimer)
  }

  /** SIGKILL at once (the kubelet stops); resolves once the process is gone (bounded). */
  async kill(): Promise<void> {
    this.stopping = true
    clearTimeout(this.restartTimer)
    clearTimeout(this.probeTimer)
    if (this.child === undefined || !this.running) return
    this.child.kill('SIGKILL')
    await this.bounded(KILL_WAIT_MS)
  }

  private async bounded(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
    clearTimeout(timer)
  }

  /** The pod's status as this worker sees it. */
  status(): PodStatus {
    const ready = this.ready ? 'True' : 'False'
    return {
      phase: this.phase,
      hostIP: LOOPBACK,
      podIP: LOOPBACK,
      podIPs: [{ ip: LOOPBACK }],
      startTime: this.startTime,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: this.startTime },
        { type: 'Initialized', status: 'True', lastTransitionTime: this.startTime },
        { type: 'ContainersReady', status: ready, lastTransitionTime: this.readyChangedAt },
        { type: 'Ready', status: ready, lastTransitionTime: this.readyChangedAt },
      ],
      containerStatuses: [{
        name: this.options.containerName,
        image: this.image,
        imageID: '',
        ...(this.running ? { containerID: `fake://${this.child!.pid}` } : {}),
        ready: this.ready,
        started: this.state.running !== undefined,
        restartCount: this.restartCount,
        state: this.state,
        lastState: this.lastState,
      }],
    }
  }
}
