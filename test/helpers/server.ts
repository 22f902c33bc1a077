import { spawn } from 'node:child_process'
import path from 'node:path'
import { repoRoot } from './sandbox.js'

// `npm test` builds first; this runs the command users run, over a real socket.
export const MAIN = path.join(repoRoot, 'dist', 'resultbox.mjs')

/** Runs the shipped server as a child process; `listening` resolves to its base URL. */
export function startServer(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 15 s:\n${stdout}\n${stderr}`)), 15_000)
    child.stdout.on('data', () => {
      const match = /^resultbox listening at (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)
      if (match) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    })
    child.on('exit', () => {
      clearTimeout(timer)
      reject(new Error(`exited before listening:\n${stdout}\n${stderr}`))
    })
  })
  return { child, listening, output: () => ({ stdout, stderr }) }
}

