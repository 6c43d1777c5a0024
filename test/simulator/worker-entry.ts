// Node worker_threads entry for the simulator's comlink API (tests only).
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { exposeSimulator } from '../../simulator/worker-api.js';

exposeSimulator(nodeEndpoint(parentPort));
