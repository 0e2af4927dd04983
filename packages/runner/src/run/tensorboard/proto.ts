/**
 * The few protobuf messages an event file needs (tensorboard/compat/proto/event.proto and
 * summary.proto: Event, Summary, Summary.Value, Summary.Image, SummaryMetadata, TensorProto),
 * encoded by hand: the wire format for these fields is four rules (varint, 64-bit, 32-bit,
 * length-delimited), smaller than a protobufjs schema plus its runtime. The tests decode what is
 * written here with protobufjs and the official .proto files (test/runner/fixtures/tensorboard_proto).
 */

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

/** Appends fields in order; `finish()` returns the message bytes. */
export class ProtoWriter {
  private parts: Uint8Array[] = [];

  private varint(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER)) throw new Error(`protobuf varint out of range: ${n}`);
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    this.parts.push(Uint8Array.from(out));
  }

  private key(field: number, wire: Wire): void {
    this.varint(field * 8 + wire);
  }

  /** int32/int64/enum/bool (non-negative values only: all this project writes). */
  uint(field: number, v: number): this {
    this.key(field, Wire.Varint);
    this.varint(v);
    return this;
  }

  double(field: number, v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.key(field, Wire.Fixed64);
    this.parts.push(b);
    return this;
  }

  float(field: number, v: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.key(field, Wire.Fixed32);
    this.parts.push(b);
    return this;
  }

  bytes(field: number, v: Uint8Array): this {
    this.key(field, Wire.Bytes);
    this.varint(v.length);
    this.parts.push(v);
    return this;
  }

  string(field: number, v: string): this {
    return this.bytes(field, Buffer.from(v, 'utf8'));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

const msg = () => new ProtoWriter();

/** One Summary.Value: a scalar, an image (PNG) or a text. */
export type SummaryValue =
  | { tag: string; scalar: number }
  | { tag: string; image: { png: Uint8Array; height: number; width: number; channels: 1 | 2 | 3 | 4 } }
  | { tag: string; text: string };

function summaryValue(v: SummaryValue): ProtoWriter {
  const w = msg().string(1, v.tag); // Value.tag
  if ('scalar' in v) return w.float(2, v.scalar); // Value.simple_value
  if ('image' in v) {
    const im = v.image;
    // Summary.Image: height, width, colorspace (channel count: 1 grey .. 4 RGBA), encoded_image_string
    return w.message(4, msg().uint(1, im.height).uint(2, im.width).uint(3, im.channels).bytes(4, im.png));
  }
  // Text: SummaryMetadata { plugin_data { plugin_name: "text" } } (TextPluginData version 0 is
  // the empty message), TensorProto { dtype: DT_STRING (7), tensor_shape { dim { size: 1 } }, string_val }.
  const metadata = msg().message(1, msg().string(1, 'text'));
  const tensor = msg()
    .uint(1, 7)
    .message(2, msg().message(2, msg().uint(1, 1)))
    .string(8, v.text);
  return w.message(9, metadata).message(8, tensor);
}

/** Event { wall_time, step, what }: the first event of a file names its version. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return msg().double(1, wallTime).string(3, 'brain.Event:2').finish();
}

export function summaryEvent(wallTime: number, step: number, values: SummaryValue[]): Uint8Array {
  const summary = msg();
  for (const v of values) summary.message(1, summaryValue(v));
  return msg().double(1, wallTime).uint(2, step).message(5, summary).finish();
}

/**
 * SessionLog START at `step`: TensorBoard drops the events of earlier files with a step at or
 * after it, so a resumed run (which re-logs the steps after its checkpoint) shows no doubled curve.
 */
export function sessionStartEvent(wallTime: number, step: number): Uint8Array {
  return msg().double(1, wallTime).uint(2, step).message(7, msg().uint(1, 1)).finish();
}
