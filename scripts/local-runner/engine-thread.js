/**
 * One local engine (dynalite or s3rver) in a worker thread of its own, so the
 * engines, the workflow engine and the Lambda hosts use more than one core.
 * Plain JavaScript: worker threads load it without a TypeScript loader.
 *
 * Messages in:  { type: 'start', port } | { type: 'stop' } | { type: 'flush' } | { type: 'counts', reset }
 * Messages out: { type: 'started', port } | { type: 'stopped' } | { type: 'flushed' } | { type: 'counts', counts } | { type: 's3-event', event } |
 *               { type: 'error', message }
 * Replies come in the order of the requests; an S3 event is posted before s3rver answers the request that caused it.
 */
'use strict';
const fs = require('fs');
const { parentPort, workerData } = require('worker_threads');

const { engine, dataDir } = workerData;
let server; // dynalite: an http.Server; s3rver: the S3rver instance
// Requests served, by operation (for the cost model); the runner's own requests carry HARNESS_AGENT and are left out.
const HARNESS_AGENT = 'local-runner-harness';
let counts = {};

function countRequest(req) {
  if (String(req.headers['user-agent'] || '').includes(HARNESS_AGENT)) return;
  const target = req.headers['x-amz-target'];
  const operation = engine === 'dynamodb' ? String(target || 'unknown').split('.').pop() : s3Operation(req);
  counts[operation] = (counts[operation] || 0) + 1;
}

// S3 request classes as priced: PUT/COPY/POST/LIST, GET/HEAD, DELETE.
function s3Operation(req) {
  const url = new URL(req.url, 'http://local');
  if (req.method === 'PUT') return req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
  if (req.method === 'GET') return url.pathname.split('/').filter(Boolean).length <= 1 ? 'ListObjects' : 'GetObject';
  if (req.method === 'HEAD') return 'HeadObject';
  if (req.method === 'DELETE') return 'DeleteObject';
  return req.method === 'POST' ? 'PostObject' : req.method;
}

function listen(http, port) {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve(http.address().port));
  });
}

async function start(port) {
  fs.mkdirSync(dataDir, { recursive: true });
  if (engine === 'dynamodb') {
    const dynalite = require('dynalite');
    server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    server.prependListener('request', countRequest);
    return listen(server, port);
  }
  const S3rver = require('s3rver');
  server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dataDir, configureBuckets: [] });
  server.on('event', (event) => parentPort.postMessage({ type: 's3-event', event }));
  const address = await server.run();
  if (server.httpServer) server.httpServer.prependListener('request', countRequest);
  return address.port;
}

async function stop() {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  if (engine === 'dynamodb') {
    running.closeAllConnections();
    await new Promise((resolve) => running.close(() => resolve()));
  } else {
    if (running.httpServer) running.httpServer.closeAllConnections();
    await running.close();
  }
}

function takeCounts(reset) {
  const taken = { ...counts };
  if (reset) counts = {};
  return taken;
}

parentPort.on('message', (message) => {
  const work = message.type === 'start' ? start(message.port).then((port) => ({ type: 'started', port }))
    : message.type === 'stop' ? stop().then(() => ({ type: 'stopped' }))
      : message.type === 'counts' ? Promise.resolve({ type: 'counts', counts: takeCounts(message.reset) })
        : Promise.resolve({ type: 'flushed' });
  work.then((reply) => parentPort.postMessage(reply), (error) => parentPort.postMessage({ type: 'error', message: String(error && error.stack || error) }));
});
