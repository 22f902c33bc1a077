import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { answersOk } from './http.js'

/** Every child still running and every scratch folder: whatever ends the benchmark takes them with it. */
const running = new Set<ChildProcess>()
const scratch = new Set<string>()

process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
  for (const folder of scratch) fs.rmSync(folder, { recursive: true, force: true })
})
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => process.exit(code))
}

export function scratchFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'resultbox-bench-'))
  scratch.add(folder)
  return folder
}

/** The environment without any resultbox setting of the caller's, so only what a case sets applies. */
export function cleanEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(RESULTBOX_|PORT$|HOST$|LOG_LEVEL$)/.test(name)) env[name] = value
  }
  return { ...env, ...settings }
}

/**
 * Where processes run: with two cores or more and util-linux's taskset, each server on the last core and the
 * load generator (this process) on the others, so that the two never take each other's time and a server's
 * figure is its own. Without them, wherever the system puts them (the table says which).
 */
export const pinning = (() => {
  const cores = os.availableParallelism()
  const taskset = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0
  if (cores < 2 || !taskset) return null
  const server = String(cores - 1)
  const client = cores === 2 ? '0' : `0-${cores - 2}`
  return { server, client, all: `0-${cores - 1}` }
})()

/** Moves this process (the load generator) onto its cores; returns false when there is no pinning. */
export function pinClient(): boolean {
  if (pinning === null) return false
  return spawnSync('taskset', ['-a', '-p', '-c', pinning.client, String(process.pid)], { stdio: 'ignore' }).status === 0
}

export interface Server {
  name: string
  port: number
  pid: number
  /** Milliseconds from spawn() to the first 200 from the readiness path. */
  startMs: number
  /** Its lifetime peak resident set (VmHWM), KiB; undefined where /proc is not there. */
  peakRssKiB(): number | undefined
  /** Its resident set now (VmRSS), KiB; undefined where /proc is not there. */
  rssKiB(): number | undefined
  stop(): Promise<void>
}

export interface ServerOptions {
  /** Node's own flags, before the script. */
  nodeArgs?: string[]
  name: string
  script: string
  args?: string[]
  env: NodeJS.ProcessEnv
  port: number
  readyPath: string
  timeoutMs: number
  /** Cores to run on (taskset -c), e.g. pinning.server; absent: the system's choice. */
  cpus?: string
}

const TAIL_BYTES = 4096

/** Spawns `node script` and resolves once readyPath answers 200, polling every 2 ms so the start time is that exact. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const began = performance.now()
  const command = [process.execPath, ...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])]
  // taskset execs node in its own process: the pid is node's.
  const [file, ...args] = options.cpus === undefined ? command : ['taskset', '-c', options.cpus, ...command]
  const child = spawn(file as string, args, {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-TAIL_BYTES)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      running.delete(child)
      resolve()
    })
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`${options.name}: could not spawn ${options.script}`)

  const stop = async () => {
    if (exited) return
    child.kill('SIGTERM')
    const stopped = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)])
    if (!stopped) {
      child.kill('SIGKILL')
      await exit
    }
  }

  while (!(await answersOk(options.port, options.readyPath))) {
    if (exited) throw new Error(`${options.name} exited before it was ready:\n${output}`)
    if (performance.now() - began > options.timeoutMs) {
      await stop()
      throw new Error(`${options.name} not ready after ${options.timeoutMs} ms:\n${output}`)
    }
    await sleep(2)
  }
  return {
    name: options.name, port: options.port, pid, startMs: performance.now() - began, peakRssKiB: () => statusKiB(pid, 'VmHWM'), rssKiB: () => statusKiB(pid, 'VmRSS'), stop,
  }
}

function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}
