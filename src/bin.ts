#!/usr/bin/env -S node --max-semi-space-size=16
// The young generation capped at 4 MB a half (V8's default grows to 16): streaming a million-row answer
// then peaks about 25 MB lower, at no cost measurable in throughput. npm start and the container pass it too.
//
// The resultbox command: loads the server bundle (server.cjs beside this file) through the start-up code
// cache, then runs it. Only Node's own modules are imported here, so nothing else is compiled before the cache
// is read.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { requireWithCodeCache } from './code-cache.js'
import type { main as Main } from './main.js'

/** The bundle's hash, put here by the build (scripts/bundle.mjs); absent when dist/bin.js runs unbundled. */
declare const SERVER_BUNDLE_DIGEST: string | undefined

const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.cjs')
const sourceDigest = typeof SERVER_BUNDLE_DIGEST === 'string' ? SERVER_BUNDLE_DIGEST : undefined
const { exports, codeCache } = requireWithCodeCache(bundle, { sourceDigest })
// A failure to start rejects: unhandled, it ends the process with its stack, as a throw would.
void (exports as { main: typeof Main }).main(process.argv.slice(2), codeCache)
