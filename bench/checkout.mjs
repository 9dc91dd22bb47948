// Paths inside a checkout of this repository, for the scripts that compare two of them (--base):
// an older checkout may predate the CommonJS command and bundle (bin/aerolite.mjs, dist/aerolite.mjs).
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const firstExisting = (dir, paths) => join(dir, paths.find((path) => existsSync(join(dir, path))) ?? paths[0])

/** The aerolite command of the checkout at dir. */
export const cliOf = (dir) => firstExisting(dir, ['packages/cli/bin/aerolite.cjs', 'packages/cli/bin/aerolite.mjs'])

/** The CLI's bundle in the checkout at dir (it may not be built yet). */
export const bundleOf = (dir) => firstExisting(dir, ['packages/server/dist/aerolite.cjs', 'packages/server/dist/aerolite.mjs'])
