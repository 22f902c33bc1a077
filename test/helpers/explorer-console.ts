import { Value } from '@sinclair/typebox/value'
import type { Test } from 'tap'
import { EnvironmentSchema, optionOf, type Settings } from '../../src/config.js'
import { SandboxClock, start } from '../../src/index.js'
import { WORLD_SETTINGS, bodyNameOf } from '../../src/sandboxes/schemas.js'
import { START } from './sandbox.js'

/*
 * Explorer's web console as the vendor's QA suite (explorer_auto) reaches it: over a real socket, with its
 * spelling of the content type and the cookie, at the server's root or (RESULTBOX_CONSOLE_VIA=sandbox, or
 * `via: 'sandbox'`) in a named sandbox under /sandboxes/{name}, the control API's calls included.
 */

export const ADDRESS = JSON.stringify({ address: '192.168.8.131', port: 9669 })
/** The suite's credentials: base64 of ["account","password"]. */
export const bearer = (account: string, password: string) => `Bearer ${Buffer.from(JSON.stringify([account, password])).toString('base64')}`

export async function consoleSandbox(test: Test, settings: Settings = {}, via = process.env.RESULTBOX_CONSOLE_VIA) {
  const running = via === 'sandbox'
    ? await namedSandbox(test, settings)
    : await start({ clock: new SandboxClock({ start: START, frozen: true }), logLevel: 'silent', ...settings })
  test.teardown(() => running.close())
  const call = async (method: string, path: string, { cookie, body, authorization }: { cookie?: string; body?: unknown; authorization?: string } = {}) => {
    const headers: Record<string, string> = {}
    // The suite's content type on every JSON request: a trailing ";" and no charset.
    if (body !== undefined) headers['content-type'] = 'application/json;'
    if (cookie !== undefined) headers.cookie = cookie
    if (authorization !== undefined) headers.authorization = authorization
    const answer = await fetch(`${running.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) })
    const text = await answer.text()
    return { status: answer.status, headers: answer.headers, json: JSON.parse(text) as { code: number; message: string; data?: any } }
  }
  /** The test's own calls to resultbox's control API, over the same socket and prefix as the suite's. */
  const control = async (method: string, path: string, body?: unknown) => {
    const answer = await fetch(`${running.url}/_resultbox${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) })
    const text = await answer.text()
    return { status: answer.status, json: (text === '' ? null : JSON.parse(text)) as any }
  }
  /** Logs in as the suite does, keeping Set-Cookie up to its first space: "explorer_token=…;", with the ";". */
  const login = async (path = '/api-nebula/db/connect', password = 'nebula') => {
    const answer = await call('POST', path, { authorization: bearer('root', password), body: ADDRESS })
    return { ...answer, cookie: (answer.headers.get('set-cookie') ?? '').split(' ')[0] as string }
  }
  /** Where the test reached its world: '' at the server's root, /sandboxes/{name} under a prefix. */
  const basePath = new URL(running.url).pathname.replace(/\/$/, '')
  return { ...running, basePath, call, control, login }
}

/**
 * A server with one named sandbox, created over HTTP: `settings` of a world (Explorer's accounts…) in the
 * PUT's body under their body names, a frozen clock at START; the rest the server's. What the tests get is
 * the sandbox's: its URL under the prefix, its clock, its app.
 */
async function namedSandbox(test: Test, settings: Settings) {
  const byOption = new Map(WORLD_SETTINGS.map((name) => [optionOf(name), name]))
  const world: Record<string, unknown> = {}
  const own: Record<string, unknown> = {}
  for (const [option, value] of Object.entries(settings)) {
    const name = byOption.get(option)
    if (name === undefined) own[option] = value
    else world[bodyNameOf(name)] = Value.Convert(EnvironmentSchema.properties[name], value)
  }
  const server = await start({ clock: new SandboxClock({ start: START, frozen: true }), logLevel: 'silent', ...own })
  const name = 'explorer-qa'
  const created = await fetch(`${server.url}/_resultbox/sandboxes/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clock: { start: new Date(START).toISOString(), frozen: true }, settings: world }),
  })
  if (created.status !== 201) {
    await server.close()
    throw new Error(`PUT /_resultbox/sandboxes/${name}: ${created.status} ${await created.text()}`)
  }
  const { app } = server.app.resultbox.sandboxes!.get(name)!
  return { ...server, url: `${server.url}/sandboxes/${name}`, clock: app.resultbox.clock, app }
}

