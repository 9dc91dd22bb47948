// A Disk in memory, for tests and the simulator. Each file keeps what was written and what was
// last synced: crash() loses every unsynced write, as power loss would. Asynchronous calls finish
// through the scheduler (a manual one runs them when the test drains it). failWith() makes writes
// and syncs fail with an OS error code, as a full or failing disk would.
import { DiskLockedError, type Disk, type EnvError, type FileStat, type Scheduler } from '@aerolite/protocol'

interface MemoryFile {
  data: Buffer
  length: number
  /** The bytes a crash keeps. */
  synced: Buffer
}

interface OpenFile {
  path: string
  file: MemoryFile
  writable: boolean
}

const MEMORY_HOLDER = { pid: 0, host: 'memory disk' }

export class MemoryDisk implements Disk {
  private readonly scheduler: Scheduler
  private readonly files = new Map<string, MemoryFile>()
  private readonly directories = new Set<string>(['/', '.'])
  private readonly descriptors = new Map<number, OpenFile>()
  private readonly locks = new Set<string>()
  private nextFd = 3
  private failureCode: string | undefined

  constructor(scheduler: Scheduler) {
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
    this.files.set(path, { data, length: data.length, synced: Buffer.from(data) })
  }

  /** Loses every write not yet synced, closes every file and drops every lock (a power cut). */
  crash(): void {
    for (const file of this.files.values()) {
      file.data = Buffer.from(file.synced)
      file.length = file.synced.length
    }
    this.descriptors.clear()
    this.locks.clear()
  }

  /** From now on writes and syncs fail with this OS code (e.g. ENOSPC, EIO); undefined heals the disk. */
  failWith(code: string | undefined): void {
    this.failureCode = code
  }

  open(path: string, flags: 'r' | 'r+' | 'w' | 'w+'): number {
    if (this.directories.has(trimSlash(path))) throw osError('EISDIR', 'illegal operation on a directory', 'open', path)
    let file = this.files.get(path)
    if (flags === 'w' || flags === 'w+') {
      this.requireDirectory(path, 'open')
      if (file === undefined) {
        file = { data: Buffer.alloc(0), length: 0, synced: Buffer.alloc(0) }
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
    file.length = Math.max(file.length, end)
    return length
  }

  read(fd: number, target: Uint8Array, targetAt: number, length: number, position: number, done: (err: EnvError | null, bytesRead: number) => void): void {
    this.later(() => this.readSync(fd, target, targetAt, length, position), done)
  }

  write(fd: number, source: Uint8Array, sourceAt: number, length: number, position: number, done: (err: EnvError | null, bytesWritten: number) => void): void {
    this.later(() => this.writeSync(fd, source, sourceAt, length, position), done)
  }

  fsync(fd: number): void {
    const { path, file } = this.fileOf(fd, 'fsync')
    this.failIfBroken('fsync', path)
    file.synced = Buffer.from(file.data.subarray(0, file.length))
  }

  fdatasync(fd: number, done: (err: EnvError | null) => void): void {
    this.later(() => {
      this.fsync(fd)
      return 0
    }, (err) => done(err))
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
    this.scheduler.soon(() => {
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
