// npm run build, after tsc: copies the status page's files into dist/, bundles the server (dist/main.js and
// everything it imports) into one CommonJS file, dist/server.cjs, and the command that loads it through the start-up code cache into
// dist/resultbox.mjs. One file instead of some 570 halves start-up; CommonJS because a V8 code cache can be
// made after a script has run (vm.Script), not after a module has.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { build } from 'esbuild'
import { EXTERNAL_PACKAGES } from './external-packages.mjs'

const common = { bundle: true, platform: 'node', target: 'node22', logLevel: 'warning' }
const SERVER = 'dist/server.cjs'

// The status page's files: copied beside the built module that serves them (for dist/index.js, the library),
// and put into the bundle whole, so that dist/server.cjs reads no file for them.
const PAGE_DIR = 'src/control/status-page'
const PAGE_FILES = ['status-page.html', 'status-page.css', 'status-page.js']
const page = Object.fromEntries(PAGE_FILES.map((name) => [name, fs.readFileSync(`${PAGE_DIR}/${name}`, 'utf8')]))
fs.mkdirSync('dist/control/status-page', { recursive: true })
for (const name of PAGE_FILES) fs.writeFileSync(`dist/control/status-page/${name}`, page[name])

await build({
  ...common,
  entryPoints: ['dist/main.js'],
  outfile: SERVER,
  format: 'cjs',
  external: EXTERNAL_PACKAGES,
  // The sources find the package's folder from import.meta.url, which CommonJS spells __filename.
  define: { 'import.meta.url': 'importMetaUrl', STATUS_PAGE_FILES: JSON.stringify(JSON.stringify(page)) },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  // import() becomes require(): a script run by vm (the code cache's) could load modules only through an
  // experimental vm option that warns on stderr when used.
  supported: { 'dynamic-import': false },
  sourcemap: process.env.BUNDLE_SOURCEMAP === '1',
})

// esbuild escapes non-ASCII characters in code (charset ascii) but keeps them in comments. Escaped the same
// way, the file is ASCII throughout: the launcher then reads it as Latin-1, twice as fast as UTF-8 for 3 MB,
// and V8 keeps it as a one-byte string. \uXXXX means the same character wherever JavaScript reads it.
const source = fs.readFileSync(SERVER, 'utf8')
const ascii = source.replace(/[^\0-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
if (ascii !== source) fs.writeFileSync(SERVER, ascii)

await build({
  ...common,
  entryPoints: ['dist/bin.js'],
  outfile: 'dist/resultbox.mjs',
  format: 'esm',
  // The code cache is keyed by the bundle's content: hashed here once rather than on every start.
  define: { SERVER_BUNDLE_DIGEST: JSON.stringify(createHash('sha256').update(ascii).digest('hex').slice(0, 16)) },
})
