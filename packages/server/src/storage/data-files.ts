// The files (or block devices) of one namespace: opened and locked at start, checked against their
// headers, and addressed as one array of write blocks, file after file (WriteBlocks hands fresh
// ones out one file after another in turn, so writes spread over the devices). Reads are
// synchronous (commands run synchronously; a record read is one pread); block writes are
// asynchronous and serialized by the flusher.
import { dirname } from 'node:path'
import { DiskLockedError, type Disk } from '@aerolite/protocol'
import { decodeFileHeader, encodeFileHeaderSlot, FILE_FORMAT_VERSION, FILE_HEADER_BYTES, type FileMeta } from './file-header.ts'
import { osReason } from '../os-error.ts'
import { StorageError } from './storage-error.ts'

export interface DataFilesOptions {
  namespace: string
  paths: readonly string[]
  /** Size of each file; a block device uses this much of its capacity. */
  fileSizeBytes: number
  blockSizeBytes: number
  disk: Disk
}

/** The namespace metadata of the files; fresh = no file had any yet. */
export interface OpenedFiles {
  meta: FileMeta | undefined
}

interface OpenFile {
  path: string
  fd: number
  release: () => void
}

/** Writes the namespace-wide part of the metadata; each file adds its own index. */
export type NamespaceMeta = Omit<FileMeta, 'fileIndex' | 'fileCount' | 'blockSizeBytes' | 'namespace' | 'fileSizeBytes'>

export class DataFiles {
  readonly paths: readonly string[]
  readonly blockSizeBytes: number
  readonly blocksPerFile: number
  private readonly options: DataFilesOptions
  private readonly disk: Disk
  private files: OpenFile[] = []
  private generation = 0

  constructor(options: DataFilesOptions) {
    this.options = options
    this.disk = options.disk
    this.paths = options.paths
    this.blockSizeBytes = options.blockSizeBytes
    this.blocksPerFile = Math.floor((options.fileSizeBytes - FILE_HEADER_BYTES) / options.blockSizeBytes)
  }

  get capacityBlocks(): number {
    return this.blocksPerFile * this.paths.length
  }

  /** The index of the file that holds a block. */
  fileOf(block: number): number {
    return Math.floor(block / this.blocksPerFile)
  }

  /** Opens, locks and checks every file; creates missing ones whose directory exists. */
  open(): OpenedFiles {
    let newest: { generation: number; meta: FileMeta } | undefined
    try {
      for (const [index, path] of this.paths.entries()) {
        const found = this.openOne(path, index)
        if (found !== undefined && (newest === undefined || found.generation > newest.generation)) newest = found
      }
    } catch (err) {
      this.close()
      throw err
    }
    this.generation = newest?.generation ?? 0
    return { meta: newest?.meta }
  }

  /** Writes the metadata into every file's header and syncs it: it is durable when this returns. */
  writeMeta(meta: NamespaceMeta): void {
    this.generation++
    for (const [index, file] of this.files.entries()) {
      const full: FileMeta = {
        ...meta,
        namespace: this.options.namespace,
        fileIndex: index,
        fileCount: this.files.length,
        blockSizeBytes: this.blockSizeBytes,
        fileSizeBytes: this.options.fileSizeBytes,
      }
      const { position, bytes } = encodeFileHeaderSlot(full, this.generation)
      try {
        this.writeAllSync(file, bytes, position)
        this.disk.fsync(file.fd)
      } catch (err) {
        throw new StorageError('ERR_STORAGE_IO', file.path, `cannot write the file header (${osReason(err)}): check the disk (space, health)`)
      }
    }
  }

  /** Copies length bytes at offset of a block into target; returns the bytes read. */
  read(block: number, offset: number, target: Buffer, targetAt: number, length: number): number {
    const { file, position } = this.locate(block)
    let done = 0
    while (done < length) {
      const n = this.disk.readSync(file.fd, target, targetAt + done, length - done, position + offset + done)
      if (n === 0) break
      done += n
    }
    return done
  }

  /** Like read(), without blocking the event loop (defrag reads whole blocks this way). */
  readAsync(block: number, offset: number, target: Buffer, length: number): Promise<number> {
    const { file, position } = this.locate(block)
    return new Promise((resolve, reject) => {
      const step = (done: number): void => {
        if (done === length) return resolve(done)
        this.disk.read(file.fd, target, done, length - done, position + offset + done, (err, n) => {
          if (err) reject(new StorageError('ERR_STORAGE_IO', file.path, `read failed (${osReason(err)}): check the disk`))
          else if (n === 0) resolve(done)
          else step(done + n)
        })
      }
      step(0)
    })
  }

  /** Writes data at offset of a block. */
  write(block: number, offset: number, data: Buffer): Promise<void> {
    const { file, position } = this.locate(block)
    return new Promise((resolve, reject) => {
      const step = (done: number): void => {
        if (done === data.length) return resolve()
        this.disk.write(file.fd, data, done, data.length - done, position + offset + done, (err, n) => {
          if (err) reject(new StorageError('ERR_STORAGE_IO', file.path, `write failed (${osReason(err)}): check the disk (space, health)`))
          else step(done + n)
        })
      }
      step(0)
    })
  }

  /** Makes every write so far durable (fdatasync of each file). */
  async sync(): Promise<void> {
    await Promise.all(this.files.map((file) => new Promise<void>((resolve, reject) => {
      this.disk.fdatasync(file.fd, (err) => (err ? reject(new StorageError('ERR_STORAGE_IO', file.path, `fdatasync failed (${osReason(err)}): check the disk`)) : resolve()))
    })))
  }

  close(): void {
    for (const file of this.files) {
      try {
        this.disk.close(file.fd)
      } finally {
        file.release()
      }
    }
    this.files = []
  }

  private locate(block: number): { file: OpenFile; position: number } {
    const file = this.files[Math.floor(block / this.blocksPerFile)]
    if (file === undefined) throw new RangeError(`write block ${block} is past the last file`)
    return { file, position: FILE_HEADER_BYTES + (block % this.blocksPerFile) * this.blockSizeBytes }
  }

  private openOne(path: string, index: number): { generation: number; meta: FileMeta } | undefined {
    const directory = dirname(path)
    if (!this.disk.exists(directory)) {
      throw new StorageError('ERR_STORAGE_NO_DIRECTORY', path, `directory ${directory} does not exist: create it (a missing data file is created, its directory is not)`)
    }
    const release = this.lock(path)
    let fd: number
    try {
      fd = this.disk.open(path, this.disk.exists(path) ? 'r+' : 'w+')
    } catch (err) {
      release()
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new StorageError('ERR_STORAGE_READ_ONLY', path, `cannot open for writing (${osReason(err)}): give the node write permission on the file, or mount the volume read-write`)
      }
      throw new StorageError('ERR_STORAGE_OPEN', path, `cannot open (${osReason(err)})`)
    }
    const file: OpenFile = { path, fd, release }
    this.files.push(file)

    const stat = this.disk.stat(fd)
    if (stat.isBlockDevice) {
      const deviceBytes = this.disk.deviceBytes(path)
      if (deviceBytes !== undefined && deviceBytes < this.options.fileSizeBytes) {
        throw new StorageError('ERR_STORAGE_DEVICE_TOO_SMALL', path, `is a block device of ${deviceBytes} bytes, smaller than filesize ${this.options.fileSizeBytes}: lower filesize, or leave it out to use the whole device`)
      }
    }
    const sizeBytes = stat.isBlockDevice ? this.options.fileSizeBytes : stat.sizeBytes
    const region = Buffer.alloc(Math.min(FILE_HEADER_BYTES, sizeBytes))
    this.read0(file, region)
    const header = decodeFileHeader(region)
    switch (header.kind) {
      case 'foreign':
        throw new StorageError('ERR_STORAGE_WRONG_FORMAT', path, 'is not an Aerolite data file (no valid header): point the namespace at a new file, or move this one away to start empty')
      case 'newer':
        throw new StorageError('ERR_STORAGE_NEWER_VERSION', path, `was written by a newer Aerolite (data format ${header.version}, this one reads ${FILE_FORMAT_VERSION}): upgrade Aerolite`)
      case 'empty':
        if (!stat.isBlockDevice && sizeBytes < this.options.fileSizeBytes) this.disk.truncate(fd, this.options.fileSizeBytes)
        return undefined
      case 'valid':
        break
    }
    const { meta } = header
    const mismatch = (what: string): never => {
      throw new StorageError('ERR_STORAGE_MISMATCH', path, what)
    }
    if (meta.namespace !== this.options.namespace) mismatch(`belongs to namespace "${meta.namespace}", not "${this.options.namespace}": give each namespace its own files`)
    if (meta.fileIndex !== index) mismatch(`was file ${meta.fileIndex + 1} of its namespace and is now listed as file ${index + 1}: list the files in their original order`)
    if (meta.blockSizeBytes !== this.blockSizeBytes) mismatch(`was written with write-block-size ${meta.blockSizeBytes}, now ${this.blockSizeBytes}: set write-block-size back to ${meta.blockSizeBytes}`)
    if (this.options.fileSizeBytes < meta.fileSizeBytes) mismatch(`was created with filesize ${meta.fileSizeBytes}; filesize ${this.options.fileSizeBytes} would cut off data: set filesize to ${meta.fileSizeBytes} or more`)
    if (sizeBytes < meta.fileSizeBytes) {
      throw new StorageError('ERR_STORAGE_TRUNCATED', path, `is truncated: ${sizeBytes} bytes, but it was created with ${meta.fileSizeBytes}; the data past byte ${sizeBytes} is lost — restore the file from a backup (or move it away to start empty)`)
    }
    if (!stat.isBlockDevice && sizeBytes < this.options.fileSizeBytes) this.disk.truncate(fd, this.options.fileSizeBytes)
    return { generation: header.generation, meta }
  }

  /** Takes the data file's lock, telling who holds it when another node does. */
  private lock(path: string): () => void {
    try {
      return this.disk.lock(path)
    } catch (err) {
      if (!(err instanceof DiskLockedError)) {
        throw new StorageError('ERR_STORAGE_OPEN', path, `cannot create the lock file beside it (${osReason(err)}): make the directory writable`)
      }
      if (err.holder === undefined) throw new StorageError('ERR_STORAGE_LOCKED', path, `another process keeps taking the lock file ${err.lockPath}: start one node per file`)
      throw new StorageError('ERR_STORAGE_LOCKED', path,
        `in use by process ${err.holder.pid} on ${err.holder.host} (lock file ${err.lockPath}): stop that node, or give this namespace another file; ` +
        'delete the lock file only if that process is not an Aerolite node using this file')
    }
  }

  private read0(file: OpenFile, target: Buffer): void {
    let done = 0
    while (done < target.length) {
      const n = this.disk.readSync(file.fd, target, done, target.length - done, done)
      if (n === 0) break
      done += n
    }
  }

  private writeAllSync(file: OpenFile, bytes: Buffer, position: number): void {
    let done = 0
    while (done < bytes.length) done += this.disk.writeSync(file.fd, bytes, done, bytes.length - done, position + done)
  }
}
