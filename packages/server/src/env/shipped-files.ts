// Files shipped with the program itself (the web console's page, script and style, and uPlot),
// read from the real file system: they are part of the program, not data, so the simulated disk
// never holds them and the node reads them only when the HTTP port serves them.
import { existsSync, readFileSync } from 'node:fs'

/** The first of `paths` that exists, read whole. */
export function readShippedFile(paths: readonly string[]): Buffer {
  const found = paths.find((path) => existsSync(path))
  if (found === undefined) throw new Error(`a file shipped with Aerolite is missing (looked for ${paths.join(', ')})`)
  return readFileSync(found)
}
