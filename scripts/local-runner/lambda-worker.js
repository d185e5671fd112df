'use strict';
// One Lambda "execution environment": a worker thread with its own process.env
// (the function's environment from the template), running the bundled handler.
// Plain JavaScript so it loads without a TypeScript loader.
const { parentPort, workerData } = require('worker_threads');

let handler;

function load() {
  if (handler === undefined) {
    // eslint-disable-next-line import/no-dynamic-require
    const mod = require(workerData.entry);
    handler = mod[workerData.handlerName];
    if (typeof handler !== 'function') {
      const error = new Error(`${workerData.handlerName} is not a function`);
      error.name = 'Runtime.HandlerNotFound';
      throw error;
    }
  }
  return handler;
}

parentPort.on('message', async ({ id, event, context }) => {
  const lambdaContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
  };
  process.stdout.write(`START RequestId: ${context.awsRequestId} Version: $LATEST\n`);
  const started = Date.now();
  try {
    const result = await load()(event, lambdaContext);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    const errorType = (error && typeof error.name === 'string') ? error.name : 'Error';
    const errorMessage = (error && typeof error.message === 'string') ? error.message : String(error);
    // What the Node.js Lambda runtime writes to the function's log on an error.
    process.stdout.write(`${new Date().toISOString()}\t${context.awsRequestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType, errorMessage })}\n`);
    parentPort.postMessage({ id, ok: false, error: { name: errorType, message: errorMessage } });
  } finally {
    process.stdout.write(`END RequestId: ${context.awsRequestId}\nREPORT RequestId: ${context.awsRequestId}\tDuration: ${Date.now() - started} ms\n`);
  }
});
