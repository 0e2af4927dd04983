// The VS Code client of the Gin language server: starts `gan lsp --stdio` for .gin files.
'use strict';
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

/** [command, ...args] that starts `gan lsp` (TransportKind.stdio appends --stdio). */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration('gin').get('server.command') || [];
  if (configured.length) return configured;
  for (const folder of vscode.workspace.workspaceFolders || []) {
    const root = folder.uri.fsPath;
    for (const js of [path.join(root, 'packages/runner/bin/gan.js'), path.join(root, 'node_modules/@cgan/runner/bin/gan.js')]) {
      if (fs.existsSync(js)) return ['node', js, 'lsp'];
    }
  }
  return ['gan', 'lsp'];
}

function activate(context) {
  const [command, ...args] = serverCommand();
  const cwd = vscode.workspace.workspaceFolders ? vscode.workspace.workspaceFolders[0].uri.fsPath : undefined;
  client = new LanguageClient(
    'gin',
    'Gin language server',
    { command, args, transport: TransportKind.stdio, options: { cwd } },
    { documentSelector: [{ scheme: 'file', language: 'gin' }, { scheme: 'untitled', language: 'gin' }] },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, serverCommand };
