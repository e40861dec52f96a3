// A verification worker in a browser (a module Web Worker): checks the
// epoch proofs it is sent with its own instance of the shared compiled
// module.

import { makeWorkerHandler } from './core.mjs';

const handle = makeWorkerHandler((message, transfer) => self.postMessage(message, transfer));
self.onmessage = (event) => handle(event.data);
