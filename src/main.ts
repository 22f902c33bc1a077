// The resultbox command's body, bundled into dist/server.cjs; bin.ts (dist/resultbox.mjs) loads and runs it.
import http from 'node:http'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { UsageError, parseCommandLine } from './cli.js'
import type { CodeCache } from './code-cache.js'
import { ConfigError, loadConfig } from './config.js'
import { StoreError } from './database.js'
import { FixtureError } from './fixtures.js'

function fail(message: string, exitCode: number): never {
  process.stderr.write(`resultbox: ${message}\n`)
  process.exit(exitCode)
}

/**
 * Reads flags and environment, builds the app, listens and closes on SIGINT/SIGTERM. Resolves once
 * listening. `codeCache` is how the bundle was loaded: once listening, start-up's code is written to it.
 */
export async function main(argv: string[], codeCache?: CodeCache): Promise<void> {
  let command
  try {
    command = parseCommandLine(argv, process.env)
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, 2)
    throw error
  }
  if (command.kind === 'help' || command.kind === 'version') {
    process.stdout.write(command.text)
    process.exit(0)
  }

  let config
  try {
    config = loadConfig(command.env)
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`, 2)
    throw error
  }

  let app
  try {
    app = await buildApp({ config })
  } catch (error) {
    if (error instanceof FixtureError) fail(`invalid fixture: ${error.message}`, 1)
    if (error instanceof StoreError) fail(`store refused: ${error.message}`, 1)
    throw error
  }

  const server = app
  const saveCodeCache = codeCache ? codeCacheSaver(codeCache, server) : () => ({ written: false, reason: 'not started through the resultbox command' })
  if (command.kind === 'write-code-cache') {
    // The image runs this at build time, so that its first start is as fast as every later one.
    const url = await server.listen({ port: config.port, host: config.host })
    await firstRequest(`${url}/_resultbox/ready`)
    const saved = saveCodeCache()
    await server.close()
    if (!saved.written && codeCache?.status !== 'hit') fail(`code cache not written: ${saved.reason ?? 'unknown'}`, 1)
    process.stdout.write(`code cache: ${codeCache?.file ?? ''}\n`)
    return
  }

  // Also PID 1 in a container: without these handlers SIGTERM would be ignored there.
  closeWithGrace({ delay: 5000 }, async ({ signal, err }) => {
    if (err) server.log.error({ err }, 'closing after an unexpected error')
    else server.log.info({ signal }, 'closing')
    saveCodeCache()
    await server.close()
  })

  // The cache is written once the first response has gone, so that it holds the code a request runs too;
  // on the next tick, not on the path of that response.
  server.server.once('request', (_request, response) => response.once('finish', () => setImmediate(saveCodeCache)))
  const url = await server.listen({ port: config.port, host: config.host })
  process.stdout.write(`resultbox listening at ${url}\n`)
}

/** Writes the code cache once (later calls answer as the first did), and logs what happened at debug level. */
function codeCacheSaver(codeCache: CodeCache, server: FastifyInstance): () => { written: boolean; reason?: string } {
  let outcome: { written: boolean; reason?: string } | undefined
  return () => {
    if (outcome) return outcome
    outcome = codeCache.save()
    server.log.debug({ file: codeCache.file, status: codeCache.status, ...outcome }, 'start-up code cache')
    return outcome
  }
}

function firstRequest(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => response.resume().once('end', resolve)).once('error', reject)
  })
}
