/**
 * TensorBoard event files: TFRecord framing with masked CRC32C, and Event/Summary protobufs that
 * the official TensorBoard .proto files (fixtures/tensorboard_proto, copied from
 * tensorflow/tensorboard) decode; plus a golden file whose bytes were checked by hand
 * (fixtures/tensorboard_golden/README.md).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { PNG } from 'pngjs';
import { crc32c, EventFileWriter, readTfrecords, tfrecord } from '../../packages/runner/src/run/tensorboard';

const PROTO_ROOT = path.join(__dirname, 'fixtures', 'tensorboard_proto');
const GOLDEN = path.join(__dirname, 'fixtures', 'tensorboard_golden', 'golden.tfevents');

function loadEventType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_ROOT, target);
  root.loadSync('tensorboard/compat/proto/event.proto', { keepCase: true });
  return root.lookupType('tensorboard.Event');
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tb-'));

describe('CRC32C', () => {
  it('matches the RFC 3720 (B.4) test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });
});

describe('TFRecord framing', () => {
  it('round-trips and detects a flipped byte', () => {
    const data = Buffer.from('hello event file');
    const rec = tfrecord(data);
    expect(rec.length).toBe(data.length + 16);
    expect(Buffer.from(readTfrecords(rec)[0]).toString()).toBe('hello event file');
    rec[14] ^= 1;
    expect(() => readTfrecords(rec)).toThrow(/bad data checksum/);
  });
});

describe('EventFileWriter', () => {
  it('writes the golden file byte for byte', () => {
    const dir = tmp();
    let t = 0;
    const w = new EventFileWriter(dir, () => ++t, 'events.out.tfevents.golden');
    w.add(3, [{ tag: 'g', scalar: 0.5 }]);
    w.close();
    expect(fs.readFileSync(w.file).equals(fs.readFileSync(GOLDEN))).toBe(true);
  });

  it('writes scalars, a PNG image, text and a restart that the official protos decode', () => {
    const Event = loadEventType();
    const dir = tmp();
    const w = new EventFileWriter(dir);
    expect(path.basename(w.file)).toMatch(/^events\.out\.tfevents\.\d+\./);
    const png = new PNG({ width: 3, height: 2 });
    png.data.fill(128);
    const pngBytes = PNG.sync.write(png);
    w.start(250);
    w.addScalars(300, { step: 300, d_loss: 0.25, g_lr: 2e-4, health: { d_grad_norm: 1.5 } });
    w.add(300, [{ tag: 'samples', image: { png: pngBytes, height: 2, width: 3, channels: 3 } }]);
    w.add(0, [{ tag: 'operative_config', text: 'options.z_dim = 32\n# ü' }]);
    w.add(2 ** 40 + 7, [{ tag: 'big_step', scalar: -1 }]);
    w.close();

    const events = readTfrecords(fs.readFileSync(w.file)).map((r) => Event.toObject(Event.decode(r), { longs: Number, bytes: Buffer, defaults: false }) as any);
    expect(events[0].file_version).toBe('brain.Event:2');
    expect(events[0].wall_time).toBeGreaterThan(1.6e9);
    expect(events[1]).toMatchObject({ step: 250, session_log: { status: 1 } });
    const scalars = events[2].summary.value;
    expect(events[2].step).toBe(300);
    expect(scalars.map((v: any) => v.tag)).toEqual(['d_loss', 'g_lr', 'health/d_grad_norm']);
    expect(scalars[0].simple_value).toBe(0.25);
    expect(scalars[1].simple_value).toBeCloseTo(2e-4, 10);
    const img = events[3].summary.value[0];
    expect(img.tag).toBe('samples');
    expect(img.image).toMatchObject({ height: 2, width: 3, colorspace: 3 });
    expect(Buffer.compare(img.image.encoded_image_string, pngBytes)).toBe(0);
    const text = events[4].summary.value[0];
    expect(text.metadata.plugin_data.plugin_name).toBe('text');
    expect(text.tensor.dtype).toBe(7); // DT_STRING
    expect(text.tensor.tensor_shape.dim[0].size).toBe(1);
    expect(text.tensor.string_val[0].toString('utf8')).toBe('options.z_dim = 32\n# ü');
    expect(events[5].step).toBe(2 ** 40 + 7);
  });
});

describe('a training run', () => {
  it('writes an event file with the metrics, health, sample grids and operative config', async () => {
    const { gan, tmpdir, TINY_GIN, writeGin } = await import('./fixtures');
    const Event = loadEventType();
    const dir = tmpdir('tb');
    const model = path.join(dir, 'run');
    const r = await gan('train', '--gin_config', writeGin(dir, 'tiny.gin', TINY_GIN), '--model_dir', model);
    expect(r.code).toBe(0);
    const files = fs.readdirSync(model).filter((n) => n.startsWith('events.out.tfevents.'));
    expect(files).toHaveLength(1);
    const events = readTfrecords(fs.readFileSync(path.join(model, files[0]))).map((rec) => Event.toObject(Event.decode(rec), { longs: Number, bytes: Buffer }) as any);
    expect(events[0].file_version).toBe('brain.Event:2');
    const values = events.filter((e) => e.summary).flatMap((e) => e.summary.value.map((v: any) => ({ step: e.step, ...v })));
    const tags = new Set(values.map((v) => v.tag));
    for (const t of ['d_loss', 'g_loss', 'g_lr', 'd_lr', 'd_acc_real', 'g_grad_norm', 'd_update_ratio', 'layers/d/fc1/grad_norm', 'wall/steps_per_sec', 'samples', 'operative_config']) expect(tags).toContain(t);
    expect(values.filter((v) => v.tag === 'd_loss').map((v) => v.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const grid = values.find((v) => v.tag === 'samples' && v.step === 6);
    expect(Buffer.from(grid.image.encoded_image_string).subarray(1, 4).toString()).toBe('PNG');
    const op = values.find((v) => v.tag === 'operative_config');
    expect(Buffer.from(op.tensor.string_val[0]).toString()).toMatch(/options\.training_steps = 6/);
  }, 60000);
});
