import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { codeCacheFolder, requireWithCodeCache } from '../src/code-cache.js'
import { repoRoot, tempDir } from './helpers/sandbox.js'
import { MAIN, startServer } from './helpers/server.js'

/** A CommonJS bundle of the shape esbuild writes: it requires, and exports through module.exports. */
function bundleIn(dir: string, body = "module.exports.answer = require('node:path').basename(__filename) + ':' + (6 * 7)"): string {
  const file = path.join(dir, 'bundle.cjs')
  fs.writeFileSync(file, `"use strict";\n${body}\n`)
  return file
}

/**
 * Loads the bundle in a process of its own, through the built dist/code-cache.js: V8 keeps what a process
 * compiled, so a second load in this one would find its own memory, never the cache file.
 */
async function loadInChild(file: string, folder: string, save = false): Promise<{ exports: unknown; status: string; saved?: unknown }> {
  // A script file, not node -e: Node's flags name the cache, and -e's text would be one of them.
  const script = path.join(path.dirname(file), 'load.mjs')
  fs.writeFileSync(script, `import { requireWithCodeCache } from ${JSON.stringify(path.join(repoRoot, 'dist', 'code-cache.js'))}
const [file, folder, save] = process.argv.slice(2)
const { exports, codeCache } = requireWithCodeCache(file, { folder })
process.stdout.write(JSON.stringify({ exports, status: codeCache.status, ...(save === 'save' ? { saved: codeCache.save() } : {}) }))`)
  const child = spawn(process.execPath, [script, file, folder, save ? 'save' : ''], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  await once(child, 'exit')
  return JSON.parse(out) as { exports: unknown; status: string; saved?: unknown }
}

const cacheFiles = (folder: string) => (fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => name.endsWith('.bin')) : [])

t.test('where the cache lives: NODE_COMPILE_CACHE, else the temporary folder; NODE_DISABLE_COMPILE_CACHE turns it off', async (t) => {
  t.equal(codeCacheFolder({}), path.join(os.tmpdir(), 'node-compile-cache', 'resultbox'))
  t.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '/var/cache/x' }), path.join('/var/cache/x', 'resultbox'))
  t.equal(codeCacheFolder({ NODE_COMPILE_CACHE: '/var/cache/x', NODE_DISABLE_COMPILE_CACHE: '1' }), null)
})

t.test('a first load compiles and, saved, the next load is a hit; both run the bundle as require would', async (t) => {
  const dir = tempDir(t)
  const folder = path.join(dir, 'cache')
  const file = bundleIn(dir)

  const first = requireWithCodeCache(file, { folder })
  t.strictSame(first.exports, { answer: 'bundle.cjs:42' }, 'exports, require and __filename as CommonJS has them')
  t.equal(first.codeCache.status, 'miss')
  t.equal(path.dirname(first.codeCache.file ?? ''), folder)
  t.match(path.basename(first.codeCache.file ?? ''), new RegExp(`^${process.version.replaceAll('.', '\\.')}-${process.arch}-[0-9a-f]{8}-[0-9a-f]{16}\\.bin$`), 'named by Node version, arch, flags and source')
  t.strictSame(first.codeCache.save(), { written: true })
  t.strictSame(cacheFiles(folder), [path.basename(first.codeCache.file ?? '')], 'one file, no temporary one left')

  // The next starts, each a process of its own (this one runs under tap's flags, another cache's name).
  t.strictSame(await loadInChild(file, folder, true), { exports: { answer: 'bundle.cjs:42' }, status: 'miss', saved: { written: true } })
  t.strictSame(await loadInChild(file, folder, true), { exports: { answer: 'bundle.cjs:42' }, status: 'hit', saved: { written: false, reason: 'the cache was used' } }, 'then a hit, not written again')

  const given = requireWithCodeCache(file, { folder, sourceDigest: 'feedfacefeedface' })
  t.equal(path.basename(given.codeCache.file ?? '').split('-').at(-1), 'feedfacefeedface.bin', "the build's digest, when given, names the file")
})

t.test('another build of the bundle gets a file of its own; files not written for a month are dropped', async (t) => {
  const dir = tempDir(t)
  const folder = path.join(dir, 'cache')
  const before = requireWithCodeCache(bundleIn(dir, 'module.exports.build = 1'), { folder })
  before.codeCache.save()
  const stale = path.join(folder, 'v0.0.0-x64-00000000-0000000000000000.bin')
  fs.writeFileSync(stale, 'old')
  const month = Date.now() / 1000 - 31 * 24 * 3600
  fs.utimesSync(stale, month, month)

  const after = requireWithCodeCache(bundleIn(dir, 'module.exports.build = 2'), { folder })
  t.equal(after.codeCache.status, 'miss', 'a changed source never meets the old cache')
  t.notSame(after.codeCache.file, before.codeCache.file)
  t.strictSame(after.codeCache.save(), { written: true })
  t.strictSame(cacheFiles(folder).sort(), [path.basename(before.codeCache.file ?? ''), path.basename(after.codeCache.file ?? '')].sort(), 'both builds kept, the stale file gone')
})

t.test('a cache V8 refuses is rejected, compiled anew and replaced', async (t) => {
  const dir = tempDir(t)
  const folder = path.join(dir, 'cache')
  const file = bundleIn(dir, 'module.exports.answer = 42')
  t.equal((await loadInChild(file, folder, true)).status, 'miss')
  for (const name of cacheFiles(folder)) fs.writeFileSync(path.join(folder, name), Buffer.alloc(4096, 7))
  t.strictSame(await loadInChild(file, folder, true), { exports: { answer: 42 }, status: 'rejected', saved: { written: true } }, 'still runs, and writes a good one')
  t.equal((await loadInChild(file, folder)).status, 'hit')
})

t.test('a folder that cannot be written, or none, costs the cache and nothing else', async (t) => {
  const dir = tempDir(t)
  const file = bundleIn(dir)
  // A folder beneath a plain file: refused whoever runs the test (root included).
  const blocked = requireWithCodeCache(file, { folder: path.join(file, 'cache') })
  t.equal(blocked.codeCache.status, 'miss')
  const saved = blocked.codeCache.save()
  t.equal(saved.written, false)
  t.match(saved.reason, /ENOTDIR|EEXIST/)
  t.strictSame(blocked.exports, { answer: 'bundle.cjs:42' })

  const off = requireWithCodeCache(file, { folder: null })
  t.equal(off.codeCache.status, 'off')
  t.equal(off.codeCache.file, null)
  t.strictSame(off.codeCache.save(), { written: false, reason: 'NODE_DISABLE_COMPILE_CACHE is set' })
})

/** Runs the resultbox command to its end. */
async function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = (await once(child, 'exit')) as [number]
  return { code, stdout, stderr }
}

t.test('resultbox --write-code-cache writes the cache a start then uses (what the image does at build time)', async (t) => {
  const folder = path.join(tempDir(t), 'cache')
  const written = await run(['--write-code-cache'], { NODE_COMPILE_CACHE: folder, RESULTBOX_DB: path.join(folder, 'never.sqlite') })
  t.equal(written.code, 0, written.stderr)
  const [file] = cacheFiles(path.join(folder, 'resultbox'))
  t.ok(file, 'a cache file')
  t.equal(written.stdout, `code cache: ${path.join(folder, 'resultbox', file ?? '')}\n`)
  t.notOk(fs.existsSync(path.join(folder, 'never.sqlite')), 'in memory, whatever store is configured')

  const server = startServer({ NODE_COMPILE_CACHE: folder, RESULTBOX_DB: ':memory:', LOG_LEVEL: 'debug' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const url = await server.listening
  t.equal((await fetch(`${url}/_resultbox/ready`)).status, 200)
  await t.resolves(waitFor(() => /"msg":"start-up code cache"/.test(server.output().stdout)))
  t.match(server.output().stdout, /"status":"hit","written":false,"reason":"the cache was used"/)
  server.child.kill('SIGTERM')
  await once(server.child, 'exit')
})

t.test('a start with a cache folder it cannot write serves as usual and says why at debug level; --write-code-cache fails', async (t) => {
  const blocked = path.join(tempDir(t), 'a-file')
  fs.writeFileSync(blocked, '')
  const server = startServer({ NODE_COMPILE_CACHE: blocked, RESULTBOX_DB: ':memory:', LOG_LEVEL: 'debug' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const url = await server.listening
  t.equal((await fetch(`${url}/_resultbox/health`)).status, 200)
  await t.resolves(waitFor(() => /"msg":"start-up code cache"/.test(server.output().stdout)))
  t.match(server.output().stdout, /"status":"miss","written":false,"reason":"[^"]*(ENOTDIR|EEXIST)/)
  server.child.kill('SIGTERM')
  await once(server.child, 'exit')

  const refused = await run(['--write-code-cache'], { NODE_COMPILE_CACHE: blocked })
  t.equal(refused.code, 1)
  t.match(refused.stderr, /^resultbox: code cache not written: .*(ENOTDIR|EEXIST)/)
  const off = await run(['--write-code-cache'], { NODE_DISABLE_COMPILE_CACHE: '1' })
  t.equal(off.code, 1)
  t.equal(off.stderr, 'resultbox: code cache not written: NODE_DISABLE_COMPILE_CACHE is set\n')
})

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
