/**
 * One local engine (dynalite or s3rver) in a worker thread of its own, so the
 * engines, the workflow engine and the Lambda hosts use more than one core.
 * Plain JavaScript: worker threads load it without a TypeScript loader.
 *
 * Messages in:  { type: 'start', port } | { type: 'stop' } | { type: 'flush' }
 * Messages out: { type: 'started', port } | { type: 'stopped' } | { type: 'flushed' } | { type: 's3-event', event } |
 *               { type: 'error', message }
 * Replies come in the order of the requests; an S3 event is posted before s3rver answers the request that caused it.
 */
'use strict';
const fs = require('fs');
const { parentPort, workerData } = require('worker_threads');

const { engine, dataDir } = workerData;
let server; // dynalite: an http.Server; s3rver: the S3rver instance

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
    return listen(server, port);
  }
  const S3rver = require('s3rver');
  server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dataDir, configureBuckets: [] });
  server.on('event', (event) => parentPort.postMessage({ type: 's3-event', event }));
  return (await server.run()).port;
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

parentPort.on('message', (message) => {
  const work = message.type === 'start' ? start(message.port).then((port) => ({ type: 'started', port }))
    : message.type === 'stop' ? stop().then(() => ({ type: 'stopped' }))
      : Promise.resolve({ type: 'flushed' });
  work.then((reply) => parentPort.postMessage(reply), (error) => parentPort.postMessage({ type: 'error', message: String(error && error.stack || error) }));
});
