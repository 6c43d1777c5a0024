/**
 * A replay helper's web worker: started by the LQL worker (`lql.worker.ts`)
 * to replay a share of the leads of each run on another core.
 *
 * Input: comlink messages from the LQL worker's engine (`parallel.ts`).
 * Output: their answers; a replayed part's typed arrays are transferred,
 * not copied.
 * Invariants: this file only wires `replay-helper.ts` to comlink.
 */
import * as Comlink from 'comlink';
import { createReplayHelper, partBuffers, type ReplayHelperApi } from './replay-helper.js';

const helper = createReplayHelper();
const api: ReplayHelperApi = {
  load: helper.load,
  cancel: helper.cancel,
  async replay(job, req) {
    const p = await helper.replay(job, req);
    return p.status === 'ok' ? Comlink.transfer(p, partBuffers(p)) : p;
  },
};
Comlink.expose(api);
