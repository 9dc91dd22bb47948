// The edges of a node or a client: time, timers, randomness, files and sockets. Everything under a
// node (and every client) reaches the outside world only through the Env it was given, so a test
// (and the simulator) can run whole nodes on a hand-driven clock, a seeded random source and
// in-memory disks. Only interfaces live here (no I/O): the server package holds the real
// implementation (Node's timers, fs, net and crypto) and the manual one.

export interface Clock {
  /** Wall time in ms since the Unix epoch: record last-update times, void times, truncate cutoffs. */
  nowMs(): number
  /** Monotonic time in ms from an arbitrary origin: durations, deadlines, leases. Never goes back. */
  monotonicMs(): number
}

export interface Timer {
  cancel(): void
}

export interface Scheduler {
  /** Runs `run` once, after `ms` (a pause of some work in progress: it keeps the process alive until then). */
  after(ms: number, run: () => void): Timer
  /** Runs `run` every `ms` until cancelled. Background timers never keep the process alive on their own. */
  every(ms: number, run: () => void): Timer
  /** Runs `run` once the I/O already waiting has had its turn (group commit, sliced work). */
  soon(run: () => void): Timer
  /** Resolves once the I/O already waiting has had its turn: a yield point for long work. */
  yieldTurn(): Promise<void>
  /**
   * Runs work that takes real time whatever the clock says (compiling WebAssembly). A simulated
   * scheduler holds its time and its queue until the work is done, so when it ends is the seed's.
   */
  offClock<T>(work: () => Promise<T>): Promise<T>
}

export interface Random {
  /** A float in [0, 1). */
  float(): number
  /** Fills `bytes` with random bytes. */
  fill(bytes: Uint8Array): void
}

/** What an open file is: its size (0 for a raw block device), and whether it is a block device. */
export interface FileStat {
  sizeBytes: number
  isBlockDevice: boolean
}

/** An error of the disk (or network): `code` is the OS name of the failure (ENOENT, EACCES, ...). */
export interface EnvError extends Error {
  code?: string
}

/** Who holds a data file's lock, when another owner does. */
export interface LockHolder {
  pid: number
  host: string
}

/**
 * Thrown by Disk.lock when the lock is held: `holder` names the live owner, or is undefined when
 * owners kept taking the lock away.
 */
export class DiskLockedError extends Error {
  readonly code = 'ELOCKED'
  readonly lockPath: string
  readonly holder: LockHolder | undefined

  constructor(lockPath: string, holder: LockHolder | undefined) {
    super(holder === undefined ? `lock ${lockPath} keeps being taken` : `lock ${lockPath} is held by process ${holder.pid} on ${holder.host}`)
    this.name = 'DiskLockedError'
    this.lockPath = lockPath
    this.holder = holder
  }
}

/**
 * Files, by path and descriptor. Synchronous calls serve commands (a record read is one pread) and
 * start-up; the callback forms serve the flusher and defrag without blocking the event loop.
 * Failures throw (or are passed) as errors carrying the OS `code`.
 */
export interface Disk {
  /** r: read; r+: read and write an existing file; w: create or empty, write; w+: create or empty, read and write. */
  open(path: string, flags: 'r' | 'r+' | 'w' | 'w+'): number
  close(fd: number): void
  stat(fd: number): FileStat
  readSync(fd: number, target: Uint8Array, targetAt: number, length: number, position: number): number
  writeSync(fd: number, source: Uint8Array, sourceAt: number, length: number, position: number): number
  read(fd: number, target: Uint8Array, targetAt: number, length: number, position: number, done: (err: EnvError | null, bytesRead: number) => void): void
  write(fd: number, source: Uint8Array, sourceAt: number, length: number, position: number, done: (err: EnvError | null, bytesWritten: number) => void): void
  /** Makes the file's data and metadata durable before returning. */
  fsync(fd: number): void
  /** Makes the file's data durable. */
  fdatasync(fd: number, done: (err: EnvError | null) => void): void
  truncate(fd: number, sizeBytes: number): void
  /** The capacity of the raw block device at path; undefined when it is not one (or it is unknown). */
  deviceBytes(path: string): number | undefined
  /** Whether a file or directory exists at path. */
  exists(path: string): boolean
  readText(path: string): string
  rename(from: string, to: string): void
  /** Removes a file; no error when it is already gone. */
  remove(path: string): void
  /**
   * Takes the lock of a data file for this owner (one owner per file, across processes and within
   * one); throws DiskLockedError when someone else holds it. Returns the release.
   */
  lock(dataPath: string): () => void
}

/** A connected byte stream: the part of Node's net.Socket the service and the client use. */
export interface NetSocket {
  readonly remoteAddress?: string | undefined
  readonly writableLength: number
  write(data: Uint8Array): boolean
  end(): unknown
  end(data: Uint8Array): unknown
  destroy(): unknown
  pause(): unknown
  resume(): unknown
  isPaused(): boolean
  cork(): void
  uncork(): void
  setNoDelay(noDelay: boolean): unknown
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  /** 'finish': end() was called and everything written is flushed. */
  on(event: 'drain' | 'close' | 'connect' | 'finish', listener: () => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  once(event: 'data', listener: (chunk: Buffer) => void): unknown
  once(event: 'drain' | 'close' | 'connect', listener: () => void): unknown
  once(event: 'error', listener: (err: Error) => void): unknown
  off(event: 'drain' | 'close' | 'connect', listener: () => void): unknown
  off(event: 'error', listener: (err: Error) => void): unknown
}

export interface NetServer {
  /** The bound address and port. */
  readonly host: string
  readonly port: number
  /** Stops accepting; done once every accepted socket has closed. */
  close(done: () => void): void
}

export interface ListenOptions {
  host: string
  /** 0 picks a free port. */
  port: number
  onConnection(socket: NetSocket): void
  /**
   * Accepted sockets read into slabs of their own: each 'data' chunk is a view that is never
   * overwritten, as ever, but reads allocate less (real network only; see env/slab-reads.ts).
   */
  slabReads?: boolean
  /** A failure of the listening socket after it was bound. */
  onError(err: EnvError): void
}

export interface Network {
  /** Binds and listens; rejects with the OS error (its code kept) when the address cannot be bound. */
  listen(options: ListenOptions): Promise<NetServer>
  /** Starts a connection; the socket emits 'connect' or 'error'. */
  connect(host: string, port: number): NetSocket
  /** Runs `run` once the socket events of this turn have been handled: when writes held back during the turn leave together. */
  turnEnd(run: () => void): void
}

export interface Env {
  readonly clock: Clock
  readonly scheduler: Scheduler
  readonly random: Random
  readonly disk: Disk
  readonly network: Network
}
