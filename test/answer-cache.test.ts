import t from 'tap'
import Database from 'better-sqlite3'
import { AnswerCache, notModified } from '../src/answer-cache.js'

function store() {
  const db = new Database(':memory:')
  db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)')
  t.teardown(() => db.close())
  return db
}

t.test('an answer is kept until a write to the store or its expiry', async (t) => {
  const db = store()
  const cache = new AnswerCache(db)
  const kept = cache.put('a', '{"n":1}', 1000)
  t.equal(cache.get('a', 999)?.bytes.toString(), '{"n":1}')
  t.equal(cache.get('a', 999)?.etag, kept.etag, 'the ETag is made once')
  t.match(kept.etag, /^"[A-Za-z0-9_-]{32}"$/)
  t.equal(cache.get('a', 1000), undefined, 'gone at its expiry')
  cache.put('b', '{"n":2}', null)
  db.prepare('INSERT INTO things DEFAULT VALUES').run()
  t.equal(cache.get('b', 0), undefined, 'any write to the store ends it')
})

t.test('the bytes held stay under the bound: the oldest go first, and an answer larger than the bound is not kept', async (t) => {
  const cache = new AnswerCache(store(), 10)
  cache.put('a', '1234', null)
  cache.put('b', '5678', null)
  cache.put('c', '90ab', null)
  t.equal(cache.get('a', 0), undefined, 'the oldest made room')
  t.equal(cache.get('b', 0)?.bytes.toString(), '5678')
  t.equal(cache.get('c', 0)?.bytes.toString(), '90ab')
  const huge = cache.put('d', 'x'.repeat(11), null)
  t.equal(huge.bytes.length, 11, 'still answered')
  t.equal(cache.get('d', 0), undefined, 'but not kept')
  t.equal(cache.get('b', 0)?.bytes.toString(), '5678', 'nor did it push the others out')
  cache.put('b', 'ab', null)
  t.equal(cache.get('b', 0)?.bytes.toString(), 'ab', 'a key put again is replaced')
})

t.test('If-None-Match: the ETag itself, weak, in a list, or *', async (t) => {
  t.ok(notModified('"x"', '"x"'))
  t.ok(notModified('W/"x"', '"x"'))
  t.ok(notModified('"y", "x"', '"x"'))
  t.ok(notModified(' * ', '"x"'))
  t.notOk(notModified('"y"', '"x"'))
  t.notOk(notModified(undefined, '"x"'))
})
