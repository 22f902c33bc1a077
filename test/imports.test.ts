import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import ts from 'typescript'
import { repoRoot } from './helpers/sandbox.js'

/** Every .ts file under `folder`, as paths relative to the repository. */
function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(repoRoot, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(folder, name))
    .sort()
}

/**
 * What each file imports from the others: imports and re-exports, type-only ones included, as TypeScript
 * itself reads them (`import type` still ties the two files together for a reader and for the compiler).
 */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(repoRoot, file), 'utf8'), true, true)
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => path.join(path.dirname(file), name).replace(/\.js$/, '.ts'))
      .filter((target) => known.has(target))
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** The groups of files that import each other, directly or around a loop (Tarjan's strongly connected components). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>()
  const lowest = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (file: string) => {
    index.set(file, index.size)
    lowest.set(file, index.get(file) as number)
    stack.push(file)
    onStack.add(file)
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target)
        lowest.set(file, Math.min(lowest.get(file) as number, lowest.get(target) as number))
      } else if (onStack.has(target)) {
        lowest.set(file, Math.min(lowest.get(file) as number, index.get(target) as number))
      }
    }
    if (lowest.get(file) !== index.get(file)) return
    const group: string[] = []
    let member: string
    do {
      member = stack.pop() as string
      onStack.delete(member)
      group.push(member)
    } while (member !== file)
    const importsItself = graph.get(file)?.includes(file) ?? false
    if (group.length > 1 || importsItself) cycles.push(group.sort())
  }
  for (const file of graph.keys()) if (!index.has(file)) visit(file)
  return cycles
}

t.test('the cycle finder finds a loop of three, a file importing itself, and nothing in a chain', async (t) => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts', 'd.ts']],
    ['d.ts', ['e.ts']],
    ['e.ts', []],
    ['f.ts', ['f.ts']],
  ])
  t.same(importCycles(graph), [['a.ts', 'b.ts', 'c.ts'], ['f.ts']])
  t.same(importCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), [])
})

t.test('no file in src/ is part of an import cycle, type imports included', async (t) => {
  const files = sourceFiles('src')
  const graph = importGraph(files)
  // The graph is read, not empty: app.ts mounts the control API.
  t.ok(graph.get(path.join('src', 'app.ts'))?.includes(path.join('src', 'control', 'index.ts')), 'app.ts imports control/index.ts')
  t.same(importCycles(graph), [], 'import cycles')
})

t.test('only the composition root names a vendor, and only by its module', async (t) => {
  const graph = importGraph(sourceFiles('src'))
  const vendorFolders = ['prpm', 'explorer', 'modelarts'].map((name) => path.join('src', name))
  const folderOf = (file: string) => vendorFolders.find((folder) => file.startsWith(folder + path.sep))
  const intoVendors: string[] = []
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const folder = folderOf(target)
      if (folder === undefined || folderOf(file) === folder) continue
      intoVendors.push(`${file} -> ${target}`)
    }
  }
  // Vendor folders never import each other; a shared module never reaches into one.
  t.same(intoVendors.sort(), vendorFolders.map((folder) => `${path.join('src', 'app.ts')} -> ${path.join(folder, 'index.ts')}`).sort())
})
