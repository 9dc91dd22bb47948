#!/usr/bin/env node
// The aerolite command. The sources are TypeScript; tsx compiles them on the fly (and caches).
import { register } from 'tsx/esm/api'

const launchedAtMs = performance.timeOrigin
register()
const { main } = await import('../src/main.ts')
process.exitCode = await main(process.argv.slice(2), launchedAtMs)
