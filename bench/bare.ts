/**
 * The physical limit: a bare node:http server that answers every request with
 * one response captured from resultbox, byte for byte. Run as its own process
 * so its RSS is its own.
 *
 *   node dist-bench/bare.js <port> [<capture.json> <body file>]
 *
 * Without a capture it answers 200 {"status":"ready"}: what the cold-start
 * comparison spawns.
 */
import fs from 'node:fs'
import http from 'node:http'
import type { CapturedHead } from './http.js'

const [port = '0', headFile, bodyFile] = process.argv.slice(2)

let status = 200
let headers: string[] = ['content-type', 'application/json']
let body: Buffer = Buffer.from('{"status":"ready"}')
if (headFile !== undefined && bodyFile !== undefined) {
  const head = JSON.parse(fs.readFileSync(headFile, 'utf8')) as CapturedHead
  status = head.status
  // Connection and Keep-Alive belong to the connection, not the response: node writes the same pair itself
  // (keepAliveTimeout below matches resultbox's), and a replayed "close" would end every connection.
  headers = []
  for (let index = 0; index + 1 < head.rawHeaders.length; index += 2) {
    const [name = '', value = ''] = head.rawHeaders.slice(index, index + 2)
    if (!/^(connection|keep-alive)$/i.test(name)) headers.push(name, value)
  }
  body = fs.readFileSync(bodyFile)
}

const server = http.createServer((_request, response) => {
  response.writeHead(status, headers)
  response.end(body)
})
server.keepAliveTimeout = 72_000
server.listen(Number(port), '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
