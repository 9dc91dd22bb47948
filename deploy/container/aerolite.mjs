// The image's entry: the aerolite command from the bundle built with the image, through the V8
// code cache written then (the running container never builds or writes code; its root
// filesystem may be read-only).
import { fileURLToPath } from 'node:url'
import { loadBundle } from './load-bundle.cjs'

const { main } = loadBundle(fileURLToPath(new URL('./cli.cjs', import.meta.url)))
process.exitCode = await main(process.argv.slice(2), performance.timeOrigin)
