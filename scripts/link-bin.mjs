// Makes `npx lql` work inside this checkout: npm links the bins of
// dependencies into node_modules/.bin, but not the package's own bin.
import { symlinkSync, unlinkSync, mkdirSync, chmodSync, lstatSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'lql');
try { lstatSync(link); unlinkSync(link); } catch { /* not there yet */ }
symlinkSync(join('..', '..', 'bin', 'lql.js'), link);
chmodSync(join(root, 'bin', 'lql.js'), 0o755);
