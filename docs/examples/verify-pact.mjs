// Verify a consumer's pact against resultbox, in a named sandbox of this run's own.
// node verify-pact.mjs <pact file> <provider name>   (RESULTBOX_URL: default http://127.0.0.1:8080)
import { randomUUID } from 'node:crypto'
import { Verifier } from '@pact-foundation/pact'
import { pactStateHandlers } from 'resultbox/pact'

const [pactFile, provider] = process.argv.slice(2)
const server = process.env.RESULTBOX_URL ?? 'http://127.0.0.1:8080'
const name = `verify-${randomUUID()}`

// A world of its own: other verifications running at once never see its states.
const sandbox = await (await fetch(`${server}/_resultbox/sandboxes/${name}`, { method: 'PUT' })).json()
try {
  await new Verifier({
    provider,
    providerBaseUrl: sandbox.url,
    pactUrls: [pactFile],
    stateHandlers: pactStateHandlers(sandbox.url),
    logLevel: 'warn',
  }).verifyProvider()
  console.log(`${pactFile}: verified`)
} finally {
  await fetch(`${server}/_resultbox/sandboxes/${name}`, { method: 'DELETE' })
}
