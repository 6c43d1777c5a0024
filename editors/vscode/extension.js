// The LQL extension: starts `lql lsp --stdio` (setting `lql.command`) for .lql files.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

exports.activate = function activate() {
  const [command, ...args] = vscode.workspace.getConfiguration('lql').get('command');
  client = new LanguageClient(
    'lql',
    'LQL',
    { command, args, options: { shell: process.platform === 'win32' } },
    { documentSelector: [{ scheme: 'file', language: 'lql' }], synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/lql.json') } },
  );
  return client.start();
};

exports.deactivate = function deactivate() {
  return client && client.stop();
};
