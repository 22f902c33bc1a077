import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { ContractViolation } from '../../src/contract/responses.js'
import { SandboxClock } from '../../src/clock.js'
import { loadConfig } from '../../src/config.js'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const seedsDir = path.resolve(repoRoot, '../shared/spec/seeds')

/** Sandbox time the test stores are seeded at: plugins finish 2, 4 and 6 s later. */
export const START = Date.parse('2026-01-01T00:00:00.000Z')

export const CREDENTIALS = {
  prpm: { authorization: 'Bearer resultbox' },
  explorer: { cookie: 'explorer_token=resultbox' },
  modelarts: { 'x-auth-token': 'resultbox' },
} as const

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A test that can be failed from outside its own assertions. */
interface Failable extends Teardown {
  fail(message: string, extra: { violation: ContractViolation }): unknown
}

export interface SandboxOptions {
  env?: Record<string, string>
  clock?: SandboxClock
  migrationsDir?: string
  /** Real time, for named sandboxes' idle expiry. */
  realNow?: () => number
}

/**
 * A sandbox on an in-memory store (unless env says otherwise), with a frozen
 * clock at START. Every response it gives is checked against its OpenAPI
 * document; one that breaks it fails the test that received it.
 */
export async function startSandbox(t: Failable, options: SandboxOptions = {}) {
  const config = loadConfig({ RESULTBOX_DB: ':memory:', LOG_LEVEL: 'silent', RESULTBOX_VALIDATE_RESPONSES: 'true', ...options.env })
  const clock = options.clock ?? new SandboxClock({ start: START, frozen: true })
  const app = await buildApp({
    config,
    clock,
    logger: false,
    migrationsDir: options.migrationsDir,
    realNow: options.realNow,
    onContractViolation: (violation) => t.fail(`${violation.operationId} answered ${violation.status} against its OpenAPI document`, { violation }),
  })
  await app.ready()
  t.teardown(() => app.close())
  return { app, clock }
}

export function tempDir(t: Teardown, prefix = 'resultbox-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A copy of a folder of the repository (fixtures, migrations) that a test may spoil. */
export function copyOf(t: Teardown, folder: 'fixtures' | 'migrations'): string {
  const dir = tempDir(t)
  fs.cpSync(path.join(repoRoot, folder), dir, { recursive: true })
  return dir
}

export function readSeed(name: string): string {
  return fs.readFileSync(path.join(seedsDir, name), 'utf8')
}

/** The JSON code blocks of a seed document, parsed, in document order. */
export function seedJsonBlocks(name: string): unknown[] {
  return [...readSeed(name).matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1] as string))
}

export async function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers })
}
