/**
 * The extension's client (packages/vscode-gin/extension.js) with VS Code and
 * vscode-languageclient replaced by stand-ins: which server command it starts, and when.
 */
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const settings: Record<string, unknown> = {};
const started: Array<{ id: string; server: { command: string; args: string[]; transport: number }; client: { documentSelector: unknown[] } }> = [];

jest.mock(
  'vscode',
  () => ({
    workspace: {
      workspaceFolders: [{ uri: { fsPath: path.resolve(__dirname, '../..') } }],
      getConfiguration: () => ({ get: (k: string) => settings[k] }),
    },
  }),
  { virtual: true },
);
jest.mock(
  'vscode-languageclient/node',
  () => ({
    TransportKind: { stdio: 0 },
    LanguageClient: class {
      constructor(id: string, _name: string, server: never, client: never) {
        started.push({ id, server, client });
      }
      start() {
        return Promise.resolve();
      }
      stop() {
        return Promise.resolve();
      }
    },
  }),
  { virtual: true },
);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require('../../packages/vscode-gin/extension.js');

test('in a compare-gan-js checkout it starts this checkout\'s `gan lsp` over stdio for gin documents', async () => {
  await ext.activate({ subscriptions: [] });
  expect(started).toHaveLength(1);
  expect(started[0].server).toMatchObject({ command: 'node', args: [path.join(root, 'packages/runner/bin/gan.js'), 'lsp'], transport: 0 });
  expect(started[0].client.documentSelector).toContainEqual({ scheme: 'file', language: 'gin' });
});

test('the gin.server.command setting wins', () => {
  settings['server.command'] = ['/opt/gan', 'lsp'];
  expect(ext.serverCommand()).toEqual(['/opt/gan', 'lsp']);
});
