#!/usr/bin/env node
// The aerolite command, run from a bundle of its TypeScript sources (see @aerolite/server/bundle).
import { pathToFileURL } from 'node:url'
import { ensureBundle } from '@aerolite/server/bundle'

const launchedAtMs = performance.timeOrigin
const { main } = await import(pathToFileURL(await ensureBundle('cli/src/main.ts', 'aerolite.mjs')).href)
process.exitCode = await main(process.argv.slice(2), launchedAtMs)
