import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import GithubSlugger from 'github-slugger'
import { marked, type Token, type Tokens } from 'marked'
import t from 'tap'
import { EnvironmentSchema } from '../src/config.js'

/**
 * The documentation: README.md is the front door (at most 300 lines), docs/ the pages. Every relative
 * link and image in them must reach a file, and a #fragment a heading of the file it names, by GitHub's
 * anchor rule; the configuration page's table must list exactly the settings src/config.ts defines.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const README_MAX_LINES = 300

function markdownFiles(): string[] {
  const docs = path.join(root, 'docs')
  const pages = fs
    .readdirSync(docs, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(docs, name))
    .sort()
  return [path.join(root, 'README.md'), ...pages]
}

/** Every token of a document, depth first: inline tokens, list items and table cells included. */
function* walk(tokens: readonly Token[]): Generator<Token> {
  for (const token of tokens) {
    yield token
    if (token.type === 'list') {
      yield* walk((token as Tokens.List).items)
    } else if (token.type === 'table') {
      const table = token as Tokens.Table
      for (const cell of [...table.header, ...table.rows.flat()]) yield* walk(cell.tokens)
    } else if ('tokens' in token && Array.isArray(token.tokens)) {
      yield* walk(token.tokens)
    }
  }
}

/** A heading's text as GitHub slugs it: the words as rendered, without markup or HTML. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      if (token.type === 'html') return ''
      if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) return plainText(token.tokens)
      return 'text' in token && typeof token.text === 'string' ? token.text : ''
    })
    .join('')
}

interface Parsed {
  tokens: Token[]
  /** The anchors GitHub gives the file's headings, duplicates numbered -1, -2, … */
  anchors: Set<string>
}

const parsed = new Map<string, Parsed>()
function parse(file: string): Parsed {
  let entry = parsed.get(file)
  if (!entry) {
    const tokens = marked.lexer(fs.readFileSync(file, 'utf8'))
    const slugger = new GithubSlugger()
    const anchors = new Set<string>()
    for (const token of walk(tokens)) {
      if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)))
    }
    entry = { tokens, anchors }
    parsed.set(file, entry)
  }
  return entry
}

interface Reference {
  kind: 'link' | 'image'
  text: string
  href: string
}

/** The links and images of a document; code blocks and code spans hold none (they are tokens of their own). */
function references(file: string): Reference[] {
  const found: Reference[] = []
  for (const token of walk(parse(file).tokens)) {
    if (token.type === 'link' || token.type === 'image') {
      const { href, text } = token as Tokens.Link | Tokens.Image
      found.push({ kind: token.type, text, href })
    }
  }
  return found
}

/** What is wrong with a reference from `file`, or null: external ones are not followed. */
function brokenReference(file: string, href: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return null // http:, https:, mailto: …
  if (href.startsWith('//')) return null
  if (href.startsWith('/')) return 'a root-relative link (it breaks outside GitHub): make it relative'
  const hash = href.indexOf('#')
  const target = decodeURIComponent(hash === -1 ? href : href.slice(0, hash))
  const fragment = hash === -1 ? null : decodeURIComponent(href.slice(hash + 1))
  const resolved = target === '' ? file : path.resolve(path.dirname(file), target)
  if (!fs.existsSync(resolved)) return `no file ${path.relative(root, resolved)}`
  if (fragment === null) return null
  if (!resolved.endsWith('.md')) return `an anchor into ${path.relative(root, resolved)}, which is not markdown`
  if (!parse(resolved).anchors.has(fragment)) return `no heading with the anchor #${fragment} in ${path.relative(root, resolved)}`
  return null
}

const files = markdownFiles()

t.test('the README and the pages under docs/', async (t) => {
  t.ok(files.length > 10, `README.md and the docs pages (${files.length} files)`)
})

t.test(`README.md has at most ${README_MAX_LINES} lines`, async (t) => {
  const lines = fs.readFileSync(path.join(root, 'README.md'), 'utf8').replace(/\n$/, '').split('\n')
  t.ok(lines.length <= README_MAX_LINES, `${lines.length} lines`)
})

for (const file of files) {
  t.test(`links and images in ${path.relative(root, file)} resolve`, async (t) => {
    const refs = references(file)
    for (const ref of refs) {
      const broken = brokenReference(file, ref.href)
      if (broken !== null) t.fail(`${ref.kind} [${ref.text}](${ref.href}): ${broken}`)
    }
    t.pass(`${refs.length} links and images checked`)
  })
}

t.test('the link check itself', async (t) => {
  const readme = path.join(root, 'README.md')
  const page = path.join(root, 'docs', 'configuration.md')
  t.equal(brokenReference(readme, 'https://example.com/missing'), null, 'external links are not followed')
  t.equal(brokenReference(readme, 'docs/configuration.md'), null)
  t.equal(brokenReference(readme, 'docs/status-page.png'), null, 'an image')
  t.equal(brokenReference(page, '../README.md#quick-start'), null, 'relative to the linking file')
  t.equal(brokenReference(page, '#configuration'), null, 'an anchor in the same file')
  t.match(brokenReference(readme, 'docs/nothing-here.md'), /^no file docs\/nothing-here\.md/)
  t.match(brokenReference(page, 'configuration.md#no-such-heading'), /^no heading with the anchor #no-such-heading/)
  t.match(brokenReference(page, '#Configuration'), /^no heading/, 'anchors are lower case')
  t.match(brokenReference(readme, '/docs/configuration.md'), /root-relative/)

  // GitHub's rule: punctuation but - and _ dropped, spaces to -, repeated headings numbered.
  const slugger = new GithubSlugger()
  t.strictSame(
    ['The contract (OpenAPI)', "The rest of PrCore's API", 'Node lines, tests and coverage', 'Limits', 'Limits'].map((h) => slugger.slug(h)),
    ['the-contract-openapi', 'the-rest-of-prcores-api', 'node-lines-tests-and-coverage', 'limits', 'limits-1'],
  )
  const [heading] = marked.lexer('### `getResult` and [the rest](x.md) *now*')
  t.equal(heading?.type, 'heading')
  t.equal(plainText((heading as Tokens.Heading).tokens), 'getResult and the rest now', 'a heading is slugged from its rendered words')
  const inCode = marked.lexer('```md\n[a](missing.md)\n```\n\nand `[b](missing.md)`\n')
  t.strictSame([...walk(inCode)].filter((token) => token.type === 'link'), [], 'no links in code blocks or code spans')
})

t.test('the configuration table lists exactly the settings of src/config.ts', async (t) => {
  const tokens = parse(path.join(root, 'docs', 'configuration.md')).tokens
  const table = tokens.find(
    (token): token is Tokens.Table => token.type === 'table' && (token as Tokens.Table).header[0]?.text === 'variable',
  )
  if (!table) return t.fail('docs/configuration.md has no table whose first column is "variable"')
  const documented = table.rows.map((row) => (row[0]?.text ?? '').replace(/^`|`$/g, ''))
  const defined = Object.keys(EnvironmentSchema.properties)
  t.strictSame(
    documented.filter((name) => !defined.includes(name)),
    [],
    'every variable in the table is a key of EnvironmentSchema',
  )
  t.strictSame(
    defined.filter((name) => !documented.includes(name)),
    [],
    'every key of EnvironmentSchema is in the table',
  )
  t.equal(new Set(documented).size, documented.length, 'no variable listed twice')
})
