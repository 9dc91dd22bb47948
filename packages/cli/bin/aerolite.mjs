#!/usr/bin/env node
// The aerolite command, run from a bundle of its TypeScript sources (see @aerolite/server/bundle).
import { loadFreshBundle } from '@aerolite/server/bundle'

const launchedAtMs = performance.timeOrigin
const { main } = await loadFreshBundle('cli/src/main.ts', 'aerolite.cjs')
process.exitCode = await main(process.argv.slice(2), launchedAtMs)
