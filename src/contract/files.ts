import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { documentParts } from './document.js'

/** Where the committed copies live, relative to the package root. */
export const OPENAPI_DIR = 'openapi'

/**
 * The documents a sandbox on its embedded defaults serves, by file name:
 * resultbox.json and .yaml whole, and one pair per part (prpm.json, ...).
 * The environment is not read, so the committed copies never carry a
 * developer's own settings (a control token adds a security scheme).
 */
export async function contractFiles(): Promise<Map<string, string>> {
  const app = await buildApp({ config: loadConfig({ RESULTBOX_DB: ':memory:', LOG_LEVEL: 'silent' }), logger: false })
  try {
    const files = new Map<string, string>()
    for (const part of [undefined, ...documentParts(app.resultbox.vendors)]) {
      for (const format of ['json', 'yaml'] as const) {
        const response = await app.inject(`/_resultbox/openapi.${format}${part === undefined ? '' : `?vendor=${part}`}`)
        if (response.statusCode !== 200) throw new Error(`GET /_resultbox/openapi.${format} (${part ?? 'whole'}) answered ${response.statusCode}`)
        files.set(`${part ?? 'resultbox'}.${format}`, response.body)
      }
    }
    return files
  } finally {
    await app.close()
  }
}
