// Types for comlink's Node adapter (the package ships them as .d.ts beside an .mjs file).
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  export default function nodeEndpoint(nep: unknown): Endpoint;
}
