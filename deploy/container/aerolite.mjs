// The image's entry: the aerolite command from the bundle built with the image (the running
// container never builds or writes code; its root filesystem may be read-only).
import { main } from './cli.mjs'

process.exitCode = await main(process.argv.slice(2), performance.timeOrigin)
