// Errors about data files: each names the file, what is wrong and what to do.

export type StorageErrorCode =
  | 'ERR_STORAGE_NO_DIRECTORY'
  | 'ERR_STORAGE_READ_ONLY'
  | 'ERR_STORAGE_OPEN'
  | 'ERR_STORAGE_LOCKED'
  | 'ERR_STORAGE_WRONG_FORMAT'
  | 'ERR_STORAGE_NEWER_VERSION'
  | 'ERR_STORAGE_TRUNCATED'
  | 'ERR_STORAGE_DEVICE_TOO_SMALL'
  | 'ERR_STORAGE_MISMATCH'
  | 'ERR_STORAGE_IO'

export class StorageError extends Error {
  readonly code: StorageErrorCode
  readonly file: string

  constructor(code: StorageErrorCode, file: string, message: string) {
    super(`${file}: ${message}`)
    this.name = 'StorageError'
    this.code = code
    this.file = file
  }
}

/** "EACCES: permission denied", without the path Node appends. */
export function osReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const { code, syscall } = error as NodeJS.ErrnoException
  const cut = syscall === undefined ? -1 : error.message.indexOf(`, ${syscall}`)
  const text = cut === -1 ? error.message : error.message.slice(0, cut)
  return code !== undefined && !text.startsWith(code) ? `${code}: ${text}` : text
}
