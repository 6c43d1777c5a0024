// Writes editors/vscode/syntaxes/lql.tmLanguage.json from the token table
// (run `npm run build:cli` first; `npm run gen:grammar` does both).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { textmateGrammarText } = await import('../dist/language/syntax/textmate.js');
const out = fileURLToPath(new URL('../editors/vscode/syntaxes/lql.tmLanguage.json', import.meta.url));
writeFileSync(out, textmateGrammarText());
process.stdout.write(`wrote ${out}\n`);
