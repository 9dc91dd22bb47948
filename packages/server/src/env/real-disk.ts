// The Disk of a real process: Node's fs, plus the lock file scheme of file-lock.ts.
import { closeSync, existsSync, fdatasync, fstatSync, fsyncSync, ftruncateSync, openSync, read, readFileSync, readSync, renameSync, rmSync, statSync, write, writeSync } from 'node:fs'
import type { Disk } from '@aerolite/protocol'
import { blockDeviceBytes } from './block-device.ts'
import { acquireFileLock } from './file-lock.ts'

export const realDisk: Disk = {
  open: (path, flags) => openSync(path, flags),
  close: (fd) => closeSync(fd),
  stat(fd) {
    const stat = fstatSync(fd)
    return { sizeBytes: stat.size, isBlockDevice: stat.isBlockDevice() }
  },
  deviceBytes(path) {
    try {
      const stat = statSync(path)
      return stat.isBlockDevice() ? blockDeviceBytes(stat.rdev) : undefined
    } catch {
      return undefined
    }
  },
  readSync: (fd, target, targetAt, length, position) => readSync(fd, target, targetAt, length, position),
  writeSync: (fd, source, sourceAt, length, position) => writeSync(fd, source, sourceAt, length, position),
  read: (fd, target, targetAt, length, position, done) => read(fd, target, targetAt, length, position, done),
  write: (fd, source, sourceAt, length, position, done) => write(fd, source, sourceAt, length, position, done),
  fsync: (fd) => fsyncSync(fd),
  fdatasync: (fd, done) => fdatasync(fd, done),
  truncate: (fd, sizeBytes) => ftruncateSync(fd, sizeBytes),
  exists: (path) => existsSync(path),
  readText: (path) => readFileSync(path, 'utf8'),
  rename: (from, to) => renameSync(from, to),
  remove: (path) => rmSync(path, { force: true }),
  lock: (dataPath) => acquireFileLock(dataPath),
}
