// Injected into every CommonJS bundle by bundle.cjs, which maps import.meta.url to this: the
// sources read import.meta only for their own URL, and in a bundle that is the bundle's.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href
