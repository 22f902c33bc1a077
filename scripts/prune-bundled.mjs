// The image's build stage, after `npm prune --omit=dev`: keeps in node_modules only the packages the server
// bundle leaves outside itself and what they depend on (npm query walks the graph); everything else is in
// dist/server.cjs already. dist/index.js, the library, still needs every dependency: this is for the image.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { EXTERNAL_PACKAGES } from './external-packages.mjs'

const selector = EXTERNAL_PACKAGES.flatMap((name) => [`#${name}`, `#${name} *`]).join(', ')
const found = JSON.parse(execFileSync('npm', ['query', selector], { encoding: 'utf8' }))
const kept = new Set(found.filter((node) => !node.dev).map((node) => node.location.split('/').slice(0, node.name.startsWith('@') ? 3 : 2).join('/')))
for (const name of EXTERNAL_PACKAGES) if (!kept.has(`node_modules/${name}`)) throw new Error(`${name} is not installed`)

let removed = 0
for (const entry of fs.readdirSync('node_modules')) {
  const names = entry.startsWith('@') ? fs.readdirSync(path.join('node_modules', entry)).map((name) => `${entry}/${name}`) : [entry]
  for (const name of names) {
    if (kept.has(`node_modules/${name}`)) continue
    fs.rmSync(path.join('node_modules', name), { recursive: true, force: true })
    removed += 1
  }
  if (entry.startsWith('@') && fs.readdirSync(path.join('node_modules', entry)).length === 0) fs.rmdirSync(path.join('node_modules', entry))
}
process.stdout.write(`node_modules: kept ${kept.size} packages, removed ${removed} (bundled)\n`)
