// Opens a device namespace on the file given as argument and prints the error code and message
// (faults.test.ts runs it as an unprivileged user, since root ignores file modes).
import { StorageError } from '../../src/storage/storage-error.ts'
import { deviceConfig, openNamespace } from './harness.ts'

try {
  const ns = await openNamespace(deviceConfig([process.argv[2]!]))
  console.log('opened')
  ns.files?.close()
} catch (err) {
  console.log(err instanceof StorageError ? `${err.code} ${err.message}` : String(err))
}
