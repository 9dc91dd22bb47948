#!/usr/bin/env node
// The aerolite command, run from a bundle of its TypeScript sources (see packages/server/bundle.cjs).
// CommonJS, as the bundle is: loading ES modules first would cost every start ~10 ms. By path, as
// the bundle's entry is (packages/ is one unit): resolving the package name cost ~3 ms.
'use strict'
const { loadFreshBundle } = require('../../server/bundle.cjs')

const launchedAtMs = performance.timeOrigin
loadFreshBundle('cli/src/main.ts', 'aerolite.cjs')
  .then(({ main }) => main(process.argv.slice(2), launchedAtMs))
  .then((code) => {
    process.exitCode = code
  })
