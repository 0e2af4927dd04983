/**
 * The language server as editors run it: `gan lsp --stdio` in a child process, driven by a real
 * JSON-RPC client (vscode-jsonrpc) speaking LSP over its stdin/stdout.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'packages/runner/bin/gan.js');
let dir: string;
let child: ChildProcess;
let rpc: MessageConnection;
let stderr = '';
type Diag = { range: { start: { line: number; character: number } }; message: string };
const diagnostics = new Map<string, Diag[]>();
const waiters: Array<() => void> = [];

const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
let version = 1;
function open(rel: string, text = fs.readFileSync(path.join(dir, rel), 'utf8')) {
  diagnostics.delete(uri(rel));
  rpc.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(rel), languageId: 'gin', version: version++, text } });
}
function change(rel: string, text: string) {
  diagnostics.delete(uri(rel));
  rpc.sendNotification('textDocument/didChange', { textDocument: { uri: uri(rel), version: version++ }, contentChanges: [{ text }] });
}
/** The diagnostics published for `rel` after the last open/change. */
async function diagnosticsOf(rel: string): Promise<Diag[]> {
  const deadline = Date.now() + 30000;
  while (!diagnostics.has(uri(rel))) {
    if (Date.now() > deadline) throw new Error(`no diagnostics for ${rel}; server stderr: ${stderr}`);
    await new Promise<void>((r) => {
      waiters.push(r);
      setTimeout(r, 200);
    });
  }
  return diagnostics.get(uri(rel))!;
}
const pos = (rel: string, line: number, character: number) => ({ textDocument: { uri: uri(rel) }, position: { line, character } });

beforeAll(async () => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gan-lsp-')));
  child = spawn(process.execPath, [bin, 'lsp', '--stdio'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d) => (stderr += d));
  rpc = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  rpc.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diag[] }) => {
    diagnostics.set(p.uri, p.diagnostics);
    waiters.splice(0).forEach((w) => w());
  });
  rpc.listen();
  const init = await rpc.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  expect((init as { capabilities: Record<string, unknown> }).capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentFormattingProvider: true, documentSymbolProvider: true });
  rpc.sendNotification('initialized', {});
}, 60000);

afterAll(async () => {
  await rpc.sendRequest('shutdown');
  rpc.sendNotification('exit');
  await new Promise((r) => child.once('exit', r));
  rpc.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('diagnostics are what `gan config check` reports: syntax, names, types, macros, includes', async () => {
  write('cycle_a.gin', "include 'cycle_b.gin'\n");
  write('cycle_b.gin', "include 'cycle_a.gin'\n");
  const text = [
    "include 'missing.gin'",
    "include 'cycle_a.gin'",
    'loss_lib.hingee.x = 1',
    "ModularGAN.g_lr = 'fast'",
    'ModularGAN.d_lr = %NOPE',
    'x = [1, 2',
    'import no_such_module_for_the_lsp_test',
    '',
  ].join('\n');
  write('bad.gin', text);
  open('bad.gin');
  const got = await diagnosticsOf('bad.gin');
  const cli = spawnSync(process.execPath, [bin, 'config', 'check', 'bad.gin'], { cwd: dir, encoding: 'utf8' });
  // Each CLI error `bad.gin:L:C: error: MESSAGE` (or one in an included file) is a diagnostic.
  const expected = [...cli.stderr.matchAll(/^(\S+?):(\d+):(\d+): error: (.*)$/gm)].map((m) => ({ file: m[1], line: Number(m[2]), col: Number(m[3]), message: m[4] }));
  expect(expected.length).toBeGreaterThanOrEqual(6);
  expect(got.length).toBe(expected.length);
  for (const e of expected) {
    const d = got.find((x) => x.message.includes(e.message));
    expect([e.message, d !== undefined]).toEqual([e.message, true]);
    if (e.file === 'bad.gin') expect([e.message, d!.range.start]).toEqual([e.message, { line: e.line - 1, character: e.col - 1 }]);
    else expect(d!.range.start.line).toBe(1); // shown on the include leading there
  }
  const messages = got.map((d) => d.message).join('\n');
  expect(messages).toContain("did you mean 'loss_lib.hinge'");
  expect(messages).toContain('Include cycle');
  expect(messages).toContain("Included file 'missing.gin' not found");
  expect(messages).toContain("Unknown macro '%NOPE'");
  expect(messages).toContain('expected float, got str "fast"');
});

test('unsaved buffers win over the disk, and a change revalidates the files that include it', async () => {
  write('sub.gin', '# nothing yet\n');
  write('main.gin', "include 'sub.gin'\nModularGAN.g_lr = %LR\n");
  open('main.gin');
  expect((await diagnosticsOf('main.gin')).map((d) => d.message).join()).toContain("Unknown macro '%LR'");
  diagnostics.delete(uri('main.gin'));
  open('sub.gin', 'LR = 0.001\n'); // not saved
  expect(await diagnosticsOf('main.gin')).toEqual([]);
  diagnostics.delete(uri('main.gin'));
  change('sub.gin', 'LR = "fast"\n');
  expect((await diagnosticsOf('main.gin')).map((d) => d.message).join()).toContain('expected float');
  diagnostics.delete(uri('main.gin'));
  change('sub.gin', 'LR = 0.001\n');
  expect(await diagnosticsOf('main.gin')).toEqual([]);
});

type Item = { label: string; textEdit?: { newText: string } };
const labels = (items: unknown) => (items as Item[]).map((i) => i.label);

test('completion: configurables, their parameters, @references, %macros and include paths', async () => {
  write('lib/base.gin', 'BATCH = 64\n');
  write('lib/other.gin', '\n');
  const text = ["include 'lib/base.gin'", 'ModularGAN.', 'x.y = @hin', 'x.z = %', "include 'lib/", 'Modul', 'loss_lib.hi', ''].join('\n');
  write('c.gin', text);
  open('c.gin', text);
  await diagnosticsOf('c.gin');
  expect(labels(await rpc.sendRequest('textDocument/completion', pos('c.gin', 1, 11)))).toEqual(expect.arrayContaining(['g_lr', 'd_lr', 'g_optimizer_fn']));
  const refs = (await rpc.sendRequest('textDocument/completion', pos('c.gin', 2, 10))) as Item[];
  expect(labels(refs)).toEqual(expect.arrayContaining(['hinge']));
  expect(labels(await rpc.sendRequest('textDocument/completion', pos('c.gin', 3, 7)))).toEqual(expect.arrayContaining(['BATCH', 'gin.REQUIRED']));
  expect(labels(await rpc.sendRequest('textDocument/completion', pos('c.gin', 4, 13)))).toEqual(['lib/base.gin', 'lib/other.gin']);
  const names = (await rpc.sendRequest('textDocument/completion', pos('c.gin', 5, 5))) as Item[];
  expect(names.find((i) => i.label === 'ModularGAN')?.textEdit?.newText).toBe('ModularGAN.');
  expect(labels(await rpc.sendRequest('textDocument/completion', pos('c.gin', 6, 11)))).toEqual(expect.arrayContaining(['loss_lib.hinge']));
});

test('binding blocks (Gin 0.5): parameters complete and hover under the block\'s configurable', async () => {
  const text = 'ModularGAN:\n  g_lr = 0.5\n  \n';
  write('b.gin', text);
  open('b.gin', text);
  expect(labels(await rpc.sendRequest('textDocument/completion', pos('b.gin', 2, 2)))).toEqual(expect.arrayContaining(['g_lr', 'd_lr']));
  const h = (await rpc.sendRequest('textDocument/hover', pos('b.gin', 1, 3))) as { contents: { value: string } };
  expect(h.contents.value).toContain('`modular_gan.ModularGAN.g_lr`: `float`');
  const cls = (await rpc.sendRequest('textDocument/hover', pos('b.gin', 0, 3))) as { contents: { value: string } };
  expect(cls.contents.value).toContain('**modular_gan.ModularGAN**');
});

test('hover: doc, type and default of a parameter, and where else it is bound through includes', async () => {
  write('h_base.gin', 'ModularGAN.g_lr = 0.001\nLR = 0.5\n');
  const text = "include 'h_base.gin'\nModularGAN.g_lr = %LR\nx.y = @loss_lib.hinge\n";
  write('h.gin', text);
  open('h.gin', text);
  const h = (await rpc.sendRequest('textDocument/hover', pos('h.gin', 1, 13))) as { contents: { value: string } };
  expect(h.contents.value).toContain('`float`');
  expect(h.contents.value).toContain('default `0.0002`');
  expect(h.contents.value).toContain('Also bound at:\n- h_base.gin:1');
  const cls = (await rpc.sendRequest('textDocument/hover', pos('h.gin', 1, 3))) as { contents: { value: string } };
  expect(cls.contents.value).toContain('**modular_gan.ModularGAN**');
  const macro = (await rpc.sendRequest('textDocument/hover', pos('h.gin', 1, 20))) as { contents: { value: string } };
  expect(macro.contents.value).toContain('LR = 0.5');
  const ref = (await rpc.sendRequest('textDocument/hover', pos('h.gin', 2, 12))) as { contents: { value: string } };
  expect(ref.contents.value).toContain('**loss_lib.hinge**');
});

test('go to definition: a macro, an include, a configurable\'s TypeScript source', async () => {
  write('d_base.gin', '\nLR = 0.5\n');
  const text = "include 'd_base.gin'\nModularGAN.g_lr = %LR\n";
  write('d.gin', text);
  open('d.gin', text);
  type Loc = { uri: string; range: { start: { line: number } } };
  const m = (await rpc.sendRequest('textDocument/definition', pos('d.gin', 1, 20))) as Loc;
  expect(m).toMatchObject({ uri: uri('d_base.gin'), range: { start: { line: 1 } } });
  const inc = (await rpc.sendRequest('textDocument/definition', pos('d.gin', 0, 12))) as Loc;
  expect(inc.uri).toBe(uri('d_base.gin'));
  const src = (await rpc.sendRequest('textDocument/definition', pos('d.gin', 1, 3))) as Loc;
  expect(src.uri).toMatch(/packages\/models\/src\/gans\/modular_gan\.ts$/);
  const line = fs.readFileSync(new URL(src.uri), 'utf8').split('\n')[src.range.start.line];
  expect(line).toMatch(/class ModularGAN\b/);
});

test('formatting is `gan config fmt`; document symbols list the statements', async () => {
  const text = "# lr\nModularGAN.g_lr=1e-4 # fast\nLR   =  ( 1, )\nModularGAN.d_lr = 2\ninclude \"d_base.gin\"\n";
  write('f.gin', text);
  open('f.gin', text);
  const edits = (await rpc.sendRequest('textDocument/formatting', { textDocument: { uri: uri('f.gin') }, options: { tabSize: 2, insertSpaces: true } })) as Array<{ newText: string }>;
  const fmt = spawnSync(process.execPath, [bin, 'config', 'fmt', 'f.gin'], { cwd: dir, encoding: 'utf8' });
  expect(edits).toHaveLength(1);
  expect(edits[0].newText).toBe(fmt.stdout);
  type Sym = { name: string; kind: number; children?: Sym[] };
  const symbols = (await rpc.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uri('f.gin') } })) as Sym[];
  expect(symbols.map((s) => s.name)).toEqual(['ModularGAN', 'LR', 'd_base.gin']);
  expect(symbols[0].children!.map((s) => s.name)).toEqual(['g_lr', 'd_lr']);
});
