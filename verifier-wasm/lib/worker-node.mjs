// A verification worker in Node (worker_threads): checks the epoch proofs
// it is sent with its own instance of the shared compiled module.

import { parentPort } from 'node:worker_threads';

import { makeWorkerHandler } from './core.mjs';

const handle = makeWorkerHandler((message, transfer) => parentPort.postMessage(message, transfer));
parentPort.on('message', handle);
