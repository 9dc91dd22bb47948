// A Disk in memory, for tests and the simulator. Each file keeps what was written and what was
// last synced: crash() loses every unsynced write, as power loss would. Asynchronous calls finish
// through the scheduler (a manual one runs them when the test drains it), on the next turn or,
// after setLatency(ms), that many ms later. The faults it plays, all deterministic:
//   - failWith(code): from now on writes and syncs fail with an OS error code: failWith('ENOSPC')
//     is a full disk, failWith('EIO') a failing one; failWith(undefined) heals it;
//   - failNextSync(code): the next fsync or fdatasync fails once (a failed sync);
//   - crash({ random }): a power cut that also tears the last unsynced write of one file;
//   - corrupt(path, offset, length, random): a bad block, in what was synced and what was written.
import { DiskLockedError, type Disk, type EnvError, type FileStat, type Random, type Scheduler, type Timer } from '@aerolite/protocol'

interface MemoryFile {
  data: Buffer
  length: number
  /** The bytes a crash keeps. */
  synced: Buffer
  /** Where the file's last write since its last sync went (a torn write keeps a prefix of it); its bytes are still in data. */
  lastWrite: { position: number; length: number } | undefined
  /** The byte ranges written since the last sync: a sync copies only these (a whole-file copy per sync made commit-to-device runs slow). */
  unsynced: Array<{ start: number; end: number }>
}

export interface CrashOptions {
  /**
   * When given, the crash tears a write: of the files written since their last sync (taken in path
   * order, one picked at random), the first k bytes of that file's last write survive, laid over
   * its synced content at the write's position (growing the file, with zeros between, if they
   * reach past its synced end), k drawn uniformly from 0 to the write's length (or tearBytes, if
   * smaller). Every other unsynced byte is lost. Two draws from random when a file qualifies.
   */
  random?: Random
  /** The most bytes of the torn write that survive (default: the whole write may). */
  tearBytes?: number
}

/** What a torn crash kept: `keptBytes` bytes of the last write to `path`, at `position`. */
export interface TornWrite {
  path: string
  position: number
  keptBytes: number
  writeBytes: number
}

interface OpenFile {
  path: string
  file: MemoryFile
  writable: boolean
}

const MEMORY_HOLDER = { pid: 0, host: 'memory disk' }

export class MemoryDisk implements Disk {
  private scheduler: Scheduler
  private readonly files = new Map<string, MemoryFile>()
  private readonly directories = new Set<string>(['/', '.'])
  private readonly descriptors = new Map<number, OpenFile>()
  private readonly locks = new Set<string>()
  private nextFd = 3
  private failureCode: string | undefined
  private nextSyncFailure: string | undefined
  private latencyMs = 0

  constructor(scheduler: Scheduler) {
    this.scheduler = scheduler
  }

  /**
   * Finishes asynchronous calls on this scheduler from now on: a restarted process's, so the disk
   * outlives the process while a crashed one's halted timers keep its late completions from running.
   */
  useScheduler(scheduler: Scheduler): void {
    this.scheduler = scheduler
  }

  /** Creates a directory (and its parents). */
  mkdir(path: string): void {
    for (let dir = trimSlash(path); !this.directories.has(dir) && dir !== '.'; dir = parentOf(dir)) this.directories.add(dir)
  }

  /** A file's whole content as written so far (undefined when there is no such file). */
  contentOf(path: string): Buffer | undefined {
    const file = this.files.get(path)
    return file === undefined ? undefined : Buffer.from(file.data.subarray(0, file.length))
  }

  /** Puts a file in place, already synced. */
  writeFile(path: string, content: Uint8Array): void {
    this.requireDirectory(path, 'open')
    const data = Buffer.from(content)
    this.files.set(path, { data, length: data.length, synced: Buffer.from(data), lastWrite: undefined, unsynced: [] })
  }

  /** Closes every file and drops every lock, keeping what was written (a killed process: the kernel keeps its writes). */
  closeAll(): void {
    this.descriptors.clear()
    this.locks.clear()
  }

  /**
   * Loses every write not yet synced, closes every file and drops every lock (a power cut). With
   * `random`, one write is torn (see CrashOptions) and what survived of it is returned.
   */
  crash(options: CrashOptions = {}): TornWrite | undefined {
    const { random, tearBytes } = options
    if (tearBytes !== undefined && !(Number.isInteger(tearBytes) && tearBytes >= 0)) throw new RangeError(`tearBytes must be a whole number from 0, not ${tearBytes}`)
    let torn: TornWrite | undefined
    let tornFile: MemoryFile | undefined
    if (random !== undefined) {
      const written = [...this.files].filter(([, file]) => file.lastWrite !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      if (written.length > 0) {
        const [path, file] = written[Math.min(written.length - 1, Math.floor(random.float() * written.length))]!
        const write = file.lastWrite!
        // A truncate since may have cut the write short: what is gone from the file cannot survive.
        const writeBytes = Math.max(0, Math.min(write.length, file.length - write.position))
        const most = Math.min(writeBytes, tearBytes ?? writeBytes)
        const keptBytes = Math.min(most, Math.floor(random.float() * (most + 1)))
        torn = { path, position: write.position, keptBytes, writeBytes }
        tornFile = file
      }
    }
    for (const file of this.files.values()) {
      let content = file.synced
      if (file === tornFile && torn !== undefined && torn.keptBytes > 0) {
        const end = torn.position + torn.keptBytes
        content = Buffer.alloc(Math.max(content.length, end))
        file.synced.copy(content)
        file.data.copy(content, torn.position, torn.position, end)
      }
      file.synced = content
      file.data = Buffer.from(content)
      file.length = content.length
      file.lastWrite = undefined
      file.unsynced = []
    }
    this.descriptors.clear()
    this.locks.clear()
    return torn
  }

  /** From now on writes and syncs fail with this OS code (ENOSPC: a full disk; EIO: a failing one); undefined heals the disk. */
  failWith(code: string | undefined): void {
    this.failureCode = code
  }

  /**
   * The next fsync or fdatasync (whichever completes first) fails once with this OS code; what was
   * written stays unsynced (a crash still loses it; a later sync that succeeds makes it durable).
   */
  failNextSync(code = 'EIO'): void {
    this.nextSyncFailure = code
  }

  /**
   * A bad block: every byte of [offset, offset + length) is changed (XORed with a random non-zero
   * byte, the same in both) in the file's synced content and in its content as written, as far as
   * each reaches. The range must lie within the longer of the two.
   */
  corrupt(path: string, offset: number, length: number, random: Random): void {
    const file = this.files.get(path)
    if (file === undefined) throw osError('ENOENT', 'no such file or directory', 'corrupt', path)
    if (!(Number.isInteger(offset) && offset >= 0 && Number.isInteger(length) && length >= 0)) throw new RangeError(`a corrupt range needs whole numbers from 0, not ${offset} and ${length}`)
    if (offset + length > Math.max(file.length, file.synced.length)) throw new RangeError(`${path} holds ${Math.max(file.length, file.synced.length)} bytes: [${offset}, ${offset + length}) reaches past them`)
    const mask = Buffer.alloc(length)
    random.fill(mask)
    for (let i = 0; i < length; i++) {
      if (mask[i] === 0) mask[i] = 0xff
      if (offset + i < file.length) file.data[offset + i]! ^= mask[i]!
      if (offset + i < file.synced.length) file.synced[offset + i]! ^= mask[i]!
    }
  }

  /** Asynchronous reads, writes and fdatasyncs finish this many ms of scheduler time after the call (0: on the next turn). */
  setLatency(ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`a disk latency must be a finite number of ms from 0, not ${ms}`)
    this.latencyMs = ms
  }

  open(path: string, flags: 'r' | 'r+' | 'w' | 'w+'): number {
    if (this.directories.has(trimSlash(path))) throw osError('EISDIR', 'illegal operation on a directory', 'open', path)
    let file = this.files.get(path)
    if (flags === 'w' || flags === 'w+') {
      this.requireDirectory(path, 'open')
      if (file === undefined) {
        file = { data: Buffer.alloc(0), length: 0, synced: Buffer.alloc(0), lastWrite: undefined, unsynced: [] }
        this.files.set(path, file)
      } else {
        file.length = 0
      }
    } else if (file === undefined) {
      throw osError('ENOENT', 'no such file or directory', 'open', path)
    }
    const fd = this.nextFd++
    this.descriptors.set(fd, { path, file, writable: flags !== 'r' })
    return fd
  }

  close(fd: number): void {
    this.fileOf(fd, 'close')
    this.descriptors.delete(fd)
  }

  stat(fd: number): FileStat {
    return { sizeBytes: this.fileOf(fd, 'fstat').file.length, isBlockDevice: false }
  }

  deviceBytes(): number | undefined {
    return undefined
  }

  readSync(fd: number, target: Uint8Array, targetAt: number, length: number, position: number): number {
    const { file } = this.fileOf(fd, 'read')
    const end = Math.min(file.length, position + length)
    if (end <= position) return 0
    target.set(file.data.subarray(position, end), targetAt)
    return end - position
  }

  writeSync(fd: number, source: Uint8Array, sourceAt: number, length: number, position: number): number {
    const open = this.fileOf(fd, 'write')
    if (!open.writable) throw osError('EBADF', 'bad file descriptor', 'write', open.path)
    this.failIfBroken('write', open.path)
    const { file } = open
    const end = position + length
    if (end > file.data.length) {
      const grown = Buffer.alloc(Math.max(end, file.data.length * 2))
      file.data.copy(grown, 0, 0, file.length)
      file.data = grown
    }
    if (position > file.length) file.data.fill(0, file.length, position)
    file.data.set(source.subarray(sourceAt, sourceAt + length), position)
    // The zeros between the old end and the write changed too.
    const start = Math.min(position, file.length)
    file.length = Math.max(file.length, end)
    file.lastWrite = { position, length }
    const last = file.unsynced[file.unsynced.length - 1]
    if (last !== undefined && start <= last.end && end >= last.start) {
      last.start = Math.min(last.start, start)
      last.end = Math.max(last.end, end)
    } else {
      file.unsynced.push({ start, end })
    }
    return length
  }

  read(fd: number, target: Uint8Array, targetAt: number, length: number, position: number, done: (err: EnvError | null, bytesRead: number) => void): void {
    this.later(() => this.readSync(fd, target, targetAt, length, position), done)
  }

  write(fd: number, source: Uint8Array, sourceAt: number, length: number, position: number, done: (err: EnvError | null, bytesWritten: number) => void): void {
    this.later(() => this.writeSync(fd, source, sourceAt, length, position), done)
  }

  fsync(fd: number): void {
    this.sync(fd, 'fsync')
  }

  fdatasync(fd: number, done: (err: EnvError | null) => void): void {
    this.later(() => {
      this.sync(fd, 'fdatasync')
      return 0
    }, (err) => done(err))
  }

  private sync(fd: number, syscall: string): void {
    const { path, file } = this.fileOf(fd, syscall)
    this.failIfBroken(syscall, path)
    const failure = this.nextSyncFailure
    if (failure !== undefined) {
      this.nextSyncFailure = undefined
      throw osError(failure, 'injected sync failure', syscall, path)
    }
    if (file.synced.length !== file.length) {
      // Grown or truncated: bytes past the old synced end were written (or are zeros) since.
      const resized = Buffer.alloc(file.length)
      file.synced.copy(resized, 0, 0, Math.min(file.synced.length, file.length))
      file.synced = resized
    }
    for (const { start, end } of file.unsynced) file.data.copy(file.synced, start, start, Math.min(end, file.length))
    file.unsynced = []
    file.lastWrite = undefined
  }

  truncate(fd: number, sizeBytes: number): void {
    const open = this.fileOf(fd, 'ftruncate')
    if (sizeBytes > open.file.length) this.writeSync(fd, Buffer.alloc(sizeBytes - open.file.length), 0, sizeBytes - open.file.length, open.file.length)
    else open.file.length = sizeBytes
  }

  exists(path: string): boolean {
    return this.files.has(path) || this.directories.has(trimSlash(path))
  }

  readText(path: string): string {
    if (this.directories.has(trimSlash(path))) throw osError('EISDIR', 'illegal operation on a directory', 'read', path)
    const file = this.files.get(path)
    if (file === undefined) throw osError('ENOENT', 'no such file or directory', 'open', path)
    return file.data.toString('utf8', 0, file.length)
  }

  rename(from: string, to: string): void {
    const file = this.files.get(from)
    if (file === undefined) throw osError('ENOENT', 'no such file or directory', 'rename', from)
    this.requireDirectory(to, 'rename')
    this.files.delete(from)
    this.files.set(to, file)
  }

  remove(path: string): void {
    this.files.delete(path)
  }

  lock(dataPath: string): () => void {
    if (this.locks.has(dataPath)) throw new DiskLockedError(`${dataPath}.lock`, MEMORY_HOLDER)
    this.locks.add(dataPath)
    return () => {
      this.locks.delete(dataPath)
    }
  }

  private later<T>(work: () => T, done: (err: EnvError | null, result: T | 0) => void): void {
    const complete = (run: () => void): Timer => (this.latencyMs > 0 ? this.scheduler.after(this.latencyMs, run) : this.scheduler.soon(run))
    complete(() => {
      let result: T
      try {
        result = work()
      } catch (err) {
        done(err as EnvError, 0)
        return
      }
      done(null, result)
    })
  }

  private fileOf(fd: number, syscall: string): OpenFile {
    const open = this.descriptors.get(fd)
    if (open === undefined) throw osError('EBADF', 'bad file descriptor', syscall, String(fd))
    return open
  }

  private requireDirectory(path: string, syscall: string): void {
    if (!this.directories.has(parentOf(trimSlash(path)))) throw osError('ENOENT', 'no such file or directory', syscall, path)
  }

  private failIfBroken(syscall: string, path: string): void {
    if (this.failureCode !== undefined) throw osError(this.failureCode, 'injected disk failure', syscall, path)
  }
}

/** An error shaped like Node's fs errors: "CODE: reason, syscall 'path'" with code and syscall set. */
function osError(code: string, reason: string, syscall: string, path: string): EnvError {
  return Object.assign(new Error(`${code}: ${reason}, ${syscall} '${path}'`), { code, syscall, path })
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/')
  return cut <= 0 ? (path.startsWith('/') ? '/' : '.') : path.slice(0, cut)
}
