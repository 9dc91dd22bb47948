// Worker bootstrap: runs the embedded node from a bundle of the TypeScript sources, since a
// TypeScript loader would cost this thread ~300 ms to start.
import { pathToFileURL } from 'node:url'
import { ensureBundle } from '../bundle.mjs'

await import(pathToFileURL(await ensureBundle('server/src/embedded-node.ts', 'embedded-node.mjs')).href)
