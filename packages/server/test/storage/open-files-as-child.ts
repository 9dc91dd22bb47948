// Opens a data file through DataFiles and the real Disk and prints the error code and message.
// faults.test.ts bundles this file into a temporary directory and runs it there as an unprivileged
// user (root ignores file modes), so it needs nothing from the checkout at run time.
import { realDisk } from '../../src/env/real-disk.ts'
import { DataFiles } from '../../src/storage/data-files.ts'
import { StorageError } from '../../src/storage/storage-error.ts'

const [path, fileSizeBytes, blockSizeBytes] = process.argv.slice(2)
const files = new DataFiles({ namespace: 'test', paths: [path!], fileSizeBytes: Number(fileSizeBytes), blockSizeBytes: Number(blockSizeBytes), disk: realDisk })
try {
  files.open()
  console.log('opened')
  files.close()
} catch (err) {
  console.log(err instanceof StorageError ? `${err.code} ${err.message}` : String(err))
}
