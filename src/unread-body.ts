import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'

/** How long a client may pause its upload while the rest is read and discarded, before the connection is closed. */
export const UNREAD_BODY_IDLE_MS = 5000

/** Whether the request still has body bytes on their way: it declared some, and they have not all arrived. */
function bodyPending(raw: IncomingMessage): boolean {
  if (raw.complete || raw.readableEnded || raw.destroyed) return false
  const length = raw.headers['content-length']
  return (length !== undefined && Number(length) > 0) || raw.headers['transfer-encoding'] !== undefined
}

type Outcome = 'read' | 'too large' | 'stalled' | 'gone'

/** Reads what is left of a request body into nothing, up to `maxBytes`; says how it ended. */
function discardRest(raw: IncomingMessage, maxBytes: number, idleMs: number, then: (outcome: Outcome) => void): void {
  let received = 0
  let timer: NodeJS.Timeout
  const finish = (outcome: Outcome) => {
    clearTimeout(timer)
    raw.off('data', onData)
    raw.off('end', onEnd)
    raw.off('error', onGone)
    raw.off('close', onGone)
    if (outcome !== 'read') raw.pause()
    then(outcome)
  }
  const onData = (chunk: Buffer) => {
    received += chunk.length
    if (received > maxBytes) return finish('too large')
    timer.refresh()
  }
  const onEnd = () => finish('read')
  const onGone = () => finish('gone')
  timer = setTimeout(() => finish('stalled'), idleMs)
  raw.on('data', onData)
  raw.once('end', onEnd)
  raw.once('error', onGone)
  raw.once('close', onGone)
  raw.resume()
}

/**
 * An answer that goes out before the request's body was read (a refused token, an unknown path, an injected
 * fault, a body the parser gave up on) waits until the client has sent the rest, which is read and thrown
 * away: a client streaming an upload then sees the answer and its exchange ends, as with a server that had
 * read the body. Otherwise the client stalls once the socket's buffers fill, or, when the server closes
 * the connection at once, fails with EPIPE before it reads the answer. Bounded: a body declared larger than
 * `maxBytes` is not read (the answer goes at once and the connection closes), nor is one that grows past it
 * or pauses for longer than `idleMs`.
 */
export function finishUnreadBodies(app: FastifyInstance, { maxBytes, idleMs = UNREAD_BODY_IDLE_MS }: { maxBytes: number; idleMs?: number }): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw
    if (!bodyPending(raw)) return done(null, payload)
    if (Number(raw.headers['content-length'] ?? 0) > maxBytes) {
      reply.header('connection', 'close')
      return done(null, payload)
    }
    discardRest(raw, maxBytes, idleMs, (outcome) => {
      if (outcome !== 'read') reply.header('connection', 'close')
      request.log.debug({ outcome }, 'unread request body')
      done(null, payload)
    })
  })
}
