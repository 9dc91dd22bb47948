// One node per data file. Node has no flock, so the lock is a file beside the data file holding the
// owner's pid and host, put in place atomically (written under a temporary name, then hard-linked,
// which fails if the lock exists) so no one ever reads a half-written lock. A lock whose pid no longer runs on this
// host is stale (the owner was killed) and is taken over; a live owner, including another node in
// this same process, makes the lock fail with DiskLockedError naming it.
import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { DiskLockedError } from '@aerolite/protocol'

interface LockOwner {
  pid: number
  host: string
  /** Tells two holders in one process (nodes in worker threads) apart. */
  token: string
}

export function lockPathOf(dataPath: string): string {
  return `${dataPath}.lock`
}

/** Takes the lock of a data file; returns the function that releases it. Other failures keep their OS code. */
export function acquireFileLock(dataPath: string): () => void {
  const lockPath = lockPathOf(dataPath)
  const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(6).toString('hex') }
  for (let attempt = 0; attempt < 2; attempt++) {
    const tempPath = `${lockPath}.${process.pid}.${owner.token}`
    try {
      writeFileSync(tempPath, JSON.stringify(owner))
      linkSync(tempPath, lockPath)
    } catch (err) {
      removeQuietly(tempPath)
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = readOwner(lockPath)
      if (holder !== undefined && (holder.host !== owner.host || isAlive(holder.pid))) throw new DiskLockedError(lockPath, { pid: holder.pid, host: holder.host })
      // The owner is gone: the lock is stale.
      removeQuietly(lockPath)
      continue
    }
    removeQuietly(tempPath)
    return () => {
      const holder = readOwner(lockPath)
      if (holder?.pid === owner.pid && holder.token === owner.token) unlinkSync(lockPath)
    }
  }
  throw new DiskLockedError(lockPath, undefined)
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // Already gone (another starter removed it first).
  }
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockOwner>
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host, token: parsed.token ?? '' }
  } catch {
    // Unreadable: treated as stale.
  }
  return undefined
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
