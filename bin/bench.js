#!/usr/bin/env node
// `npm run bench`: runs the compiled benchmarks (built by `npm run build:cli`).
await import('../dist/bench/index.js');
