// The `aerolite start` options for a benchmark over `keys` records of `valueBytes`: none while the
// embedded default namespace (1 GiB) holds them twice over, else a config file (written into dir)
// with a namespace sized for that, so stop-writes never comes near.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const RECORD_OVERHEAD_BYTES = 128

export function namespaceConfig(keys, valueBytes, dir) {
  const dataGiB = Math.ceil((keys * 2 * (valueBytes + RECORD_OVERHEAD_BYTES)) / 2 ** 30)
  if (dataGiB <= 1) return []
  const file = join(dir, 'aerolite.conf')
  writeFileSync(file, `namespace test {\n  replication-factor 1\n  storage-engine memory {\n    data-size ${dataGiB}G\n  }\n}\n`)
  return ['--config', file]
}
