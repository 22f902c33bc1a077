import { Writable } from 'node:stream'
import { buildApp } from '../../src/app.js'
import { SandboxClock } from '../../src/clock.js'
import { loadConfig } from '../../src/config.js'
import type { ContractViolation } from '../../src/contract/responses.js'
import { START } from './sandbox.js'
import { sqlCarryingCanary } from './store.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A sandbox for drawn requests: every response checked against the document,
 * and what a property must find empty collected rather than failing at once
 * (fast-check wants the property to throw): log entries at error level,
 * contract violations, and SQL texts that carry the canary.
 */
export async function fuzzSandbox(t: Teardown, env: Record<string, string>) {
  const errors: unknown[] = []
  const violations: ContractViolation[] = []
  const log = new Writable({
    write(chunk, _encoding, done) {
      const entry = JSON.parse(String(chunk)) as { level: number }
      if (entry.level >= 50) errors.push(entry)
      done()
    },
  })
  const app = await buildApp({
    config: loadConfig({ RESULTBOX_DB: ':memory:', RESULTBOX_VALIDATE_RESPONSES: 'true', ...env }),
    clock: new SandboxClock({ start: START, frozen: true }),
    logger: { level: 'error', stream: log },
    onContractViolation: (violation) => violations.push(violation),
  })
  await app.ready()
  t.teardown(() => app.close())
  return { app, errors, violations, sqlWithCanary: sqlCarryingCanary(app.resultbox.db) }
}
