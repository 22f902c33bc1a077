/*
 * Explorer's console login/logout and workflow flows as the vendor's QA suite drives them
 * (test/explorer-console.test.ts), every test of it, against a named sandbox: each request, the suite's
 * and the test's control calls alike, under http://host:port/sandboxes/{name} over a real socket, as a
 * CI worker sharing one server reaches its own world.
 */
process.env.RESULTBOX_CONSOLE_VIA = 'sandbox'
await import('./explorer-console.test.js')
