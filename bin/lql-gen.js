#!/usr/bin/env node
// Launcher for `npm run gen`: the generator is built into dist/ by `npm run build:cli`.
import { main } from '../dist/cli/generate-data.js';

process.exitCode = main(process.argv.slice(2));
