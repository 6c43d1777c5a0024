#!/usr/bin/env node
// Launcher for `npm run gen`: the generator is built into dist/ by `npm run build:cli`.
import '../dist/simulator/generate-cli.js';
