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
