import { createHash } from 'node:crypto'
import fs from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { basePathOf } from '../request-base.js'

/*
 * GET /_resultbox/: one HTML document, its CSS and script inline, nothing
 * loaded from elsewhere. It holds no data: its script reads the control API
 * (GET state, faults, requests) every second with the token the user gives,
 * so it shows nothing a test suite could not read itself. Everything it
 * renders goes in as text (textContent, setAttribute), never as markup:
 * journal paths come from clients.
 *
 * The page is three files in status-page/: the HTML links its stylesheet and
 * script as siblings (so an editor previews it), and they are put inline here.
 */

/** The page's files, by name. */
export interface StatusPageFiles {
  'status-page.html': string
  'status-page.css': string
  'status-page.js': string
}

/**
 * The bundle's copy of the files as JSON, put in by the build (scripts/bundle.mjs); undefined when run from
 * the modules. A string rather than an object: esbuild puts a string where it is named, an object in a module
 * of its own that every other module of the bundle would first call.
 */
declare const STATUS_PAGE_FILES: string | undefined

const FILE_NAMES = ['status-page.html', 'status-page.css', 'status-page.js'] as const

function pageFiles(): StatusPageFiles {
  if (typeof STATUS_PAGE_FILES !== 'undefined') return JSON.parse(STATUS_PAGE_FILES) as StatusPageFiles
  // Beside this module: src/control/ when run from the sources, dist/control/ (copied by the build) when built.
  const dir = new URL('./status-page/', import.meta.url)
  const read = (name: string) => fs.readFileSync(new URL(name, dir), 'utf8')
  return Object.fromEntries(FILE_NAMES.map((name) => [name, read(name)])) as unknown as StatusPageFiles
}

const STYLESHEET_LINK = '<link rel="stylesheet" href="status-page.css">'
const SCRIPT_TAG = '<script src="status-page.js"></script>'

/** The HTML with its stylesheet and script inline, for the control API under `prefix`. */
export function statusPage(files: StatusPageFiles, prefix: string): { html: string; style: string; script: string } {
  const { 'status-page.html': template, 'status-page.css': style, 'status-page.js': script } = files
  // Inline, either would end its element early.
  if (/<\/style/i.test(style)) throw new Error('status-page.css must not contain "</style"')
  if (/<\/script/i.test(script)) throw new Error('status-page.js must not contain "</script"')
  const once = (text: string, part: string, by: string) => {
    const pieces = text.split(part)
    if (pieces.length !== 2) throw new Error(`status-page.html must hold ${part} exactly once`)
    return pieces.join(by)
  }
  const html = once(once(once(template, '{{prefix}}', prefix), STYLESHEET_LINK, `<style>${style}</style>`), SCRIPT_TAG, `<script>${script}</script>`)
  return { html, style, script }
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/**
 * Only this page's own style and script run, and it talks to its own origin
 * only: were some client's journaled path ever rendered as markup by mistake,
 * it still could not run.
 */
const contentSecurityPolicy = (style: string, script: string) => [
  "default-src 'none'",
  `script-src ${sha256(script)}`,
  `style-src ${sha256(style)}`,
  "connect-src 'self'",
  // Thumbnails come from the sandbox's own OBS, at this origin.
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * GET /_resultbox/: the status page. Open without the control token, like
 * the docs page: the page itself holds nothing, and the data it reads asks
 * for the token.
 */
export const statusPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const files = pageFiles()
  // The page, made once for each path it is reached under: the server's own, or a named sandbox's prefix.
  const pages = new Map<string, { html: string; policy: string }>()
  const pageUnder = (basePath: string) => {
    let page = pages.get(basePath)
    if (page === undefined) {
      const { html, style, script } = statusPage(files, `${basePath}${app.prefix}`)
      page = { html, policy: contentSecurityPolicy(style, script) }
      pages.set(basePath, page)
    }
    return page
  }

  app.get(
    '/',
    {
      // Only the slashed form: the page is one URL, and /_resultbox redirects to it.
      prefixTrailingSlash: 'slash',
      schema: {
        operationId: 'getStatusPage',
        tags: ['control'],
        summary: 'The status page: results, jobs and versions with progress, the clock, faults and the journal, live',
        response: {
          200: { description: 'an HTML page with its CSS and script inline; it reads GET /_resultbox/state, /faults and /requests', content: { 'text/html': { schema: Type.String() } } },
        },
      },
    },
    async (request, reply) => {
      const { html, policy } = pageUnder(basePathOf(request))
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', policy)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(html)
    },
  )
  app.get('', { prefixTrailingSlash: 'no-slash', schema: { hide: true } }, async (request, reply) => reply.redirect(`${basePathOf(request)}${app.prefix}/`, 302))
}
