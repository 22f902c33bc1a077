/*
 * The replay of PrCore's documented clients (test/prpm-clients.test.ts), every test of it, with each
 * client's base URL a named sandbox's prefix, http://host:port/sandboxes/{name}, instead of the server's
 * root: the python-requests scripts, sseclient's streams and the Postman collection must work unchanged
 * through a prefix, as a CI worker sharing one server reaches its own world.
 */
process.env.RESULTBOX_CLIENTS_VIA = 'sandbox'
await import('./prpm-clients.test.js')
