#!/usr/bin/env node
/**
 * `npm run openapi`: writes the OpenAPI documents the sandbox serves on its
 * embedded defaults to openapi/ (or the folder given), for client teams who
 * want the contract without running resultbox. A test fails when they are stale.
 */
import fs from 'node:fs'
import path from 'node:path'
import { packageRoot } from './config.js'
import { OPENAPI_DIR, contractFiles } from './contract/files.js'

const dir = path.resolve(process.argv[2] ?? path.join(packageRoot, OPENAPI_DIR))
fs.mkdirSync(dir, { recursive: true })
for (const [name, text] of await contractFiles()) {
  fs.writeFileSync(path.join(dir, name), text)
  process.stdout.write(`${path.relative(process.cwd(), path.join(dir, name))}: ${text.length} bytes\n`)
}
