/**
 * The playground's web worker: hosts the LQL engine (checker, simulator,
 * compiler) off the page's thread and exposes `PlaygroundWorkerApi` through
 * comlink.
 *
 * Input: comlink messages from `client.ts`. Output: their answers.
 * Invariants: this file only wires the engine (`engine.ts`) to comlink.
 */
import * as Comlink from 'comlink';
import { createEngine } from './engine.js';

Comlink.expose(createEngine());
