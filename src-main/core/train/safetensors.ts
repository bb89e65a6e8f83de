// The safetensors file format (Hugging Face, github.com/huggingface/safetensors), written and read
// here because no maintained npm package does both (the format is a JSON header and raw arrays):
//   8 bytes   N, the header's length (uint64 little-endian)
//   N bytes   header JSON (utf-8, padded with spaces to a multiple of 8): { "__metadata__": {string:
//             string}, NAME: { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ... }
//   the data: every tensor's little-endian values, row-major, at [begin, end) of this part
// Reading checks what the reference implementation checks: a header that parses to an object,
// known dtypes, offsets that tile the data part exactly (no gap, no overlap, nothing after), and
// each tensor's byte length against its shape. Floats of any width read as float32 (the engine's
// type); integer tensors (BatchNorm's num_batches_tracked) are kept apart as plain numbers.
import { UserError } from '../domain/errors';

/** dtype -> bytes per element, for the dtypes a PyTorch state_dict holds */
const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const FLOAT_DTYPES = ['F64', 'F32', 'F16', 'BF16'];
/** the reference implementation refuses headers over 100 MB */
const MAX_HEADER = 100_000_000;

export interface SafeTensor {
  name: string;
  shape: number[];
  dtype: string;
  /** float tensors as float32; integer tensors as float32 too (exact below 2^24; only counters are integers here) */
  data: Float32Array;
}

export interface SafeTensorsFile {
  metadata: Record<string, string>;
  tensors: SafeTensor[];
}

/** Tensors to write: float32 values, or an int64 scalar / vector given as plain numbers. */
export type WritableTensor = { name: string; shape: number[]; data: Float32Array } | { name: string; shape: number[]; int64: number[] };

const elements = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** The file's bytes as chunks (header, then each tensor), ready for an atomic write. */
export function encodeSafeTensors(tensors: readonly WritableTensor[], metadata: Record<string, string> = {}): Buffer[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const bodies: Buffer[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) throw new Error(`safetensors: duplicate or reserved tensor name ${t.name}`);
    let body: Buffer;
    if ('int64' in t) {
      if (t.int64.length !== elements(t.shape)) throw new Error(`safetensors: ${t.name} has ${t.int64.length} values for shape [${t.shape}]`);
      body = Buffer.alloc(8 * t.int64.length);
      t.int64.forEach((v, i) => body.writeBigInt64LE(BigInt(Math.trunc(v)), 8 * i));
    } else {
      if (t.data.length !== elements(t.shape)) throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
      body = Buffer.alloc(4 * t.data.length);
      for (let i = 0; i < t.data.length; i++) body.writeFloatLE(t.data[i], 4 * i);
    }
    header[t.name] = { dtype: 'int64' in t ? 'I64' : 'F32', shape: t.shape, data_offsets: [offset, offset + body.length] };
    offset += body.length;
    bodies.push(body);
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const pre = Buffer.alloc(8);
  pre.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return [pre, Buffer.from(json, 'utf8'), ...bodies];
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function readValues(buf: Buffer, begin: number, dtype: string, n: number): Float32Array {
  const out = new Float32Array(n);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'F32': out[i] = buf.readFloatLE(begin + 4 * i); break;
      case 'F64': out[i] = buf.readDoubleLE(begin + 8 * i); break;
      case 'F16': out[i] = halfToFloat(buf.readUInt16LE(begin + 2 * i)); break;
      case 'BF16': scratch.setUint32(0, buf.readUInt16LE(begin + 2 * i) << 16); out[i] = scratch.getFloat32(0); break;
      case 'I64': out[i] = Number(buf.readBigInt64LE(begin + 8 * i)); break;
      case 'I32': out[i] = buf.readInt32LE(begin + 4 * i); break;
      case 'I16': out[i] = buf.readInt16LE(begin + 2 * i); break;
      case 'I8': out[i] = buf.readInt8(begin + i); break;
      default: out[i] = buf[begin + i]; // U8, BOOL
    }
  }
  return out;
}

export function isFloatDtype(dtype: string): boolean {
  return FLOAT_DTYPES.includes(dtype);
}

/** Parses a safetensors file; anything else (or a damaged one) is one line naming `source`. */
export function decodeSafeTensors(buf: Buffer, source: string): SafeTensorsFile {
  const bad = (why: string) => new UserError(`${source} is not a safetensors file (${why}); export one with \`dive export RUN --format safetensors\` or safetensors.torch.save_file`);
  if (buf.length < 10) throw bad('too short');
  const n = buf.readBigUInt64LE(0);
  if (n > BigInt(Math.min(MAX_HEADER, buf.length - 8))) throw bad('its header length is larger than the file');
  const len = Number(n);
  let header: unknown;
  try {
    const text = buf.toString('utf8', 8, 8 + len);
    if (!text.startsWith('{')) throw new Error('not JSON');
    header = JSON.parse(text);
  } catch {
    throw bad('its header is not JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('its header is not a JSON object');
  const dataStart = 8 + len;
  const dataLength = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object') throw bad('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') throw bad(`metadata ${k} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t?.dtype !== 'string' || !(t.dtype in DTYPE_BYTES)) throw bad(`tensor ${name} has an unsupported dtype ${String(t?.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`tensor ${name} has a bad shape`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) throw bad(`tensor ${name} has bad data offsets`);
    const shape = t.shape as number[];
    if (off[1] - off[0] !== elements(shape) * DTYPE_BYTES[t.dtype]) throw bad(`tensor ${name} holds ${off[1] - off[0]} bytes for shape [${shape}] of ${t.dtype}`);
    entries.push({ name, dtype: t.dtype, shape, begin: off[0], end: off[1] });
  }
  // the tensors tile the data part exactly, in offset order
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) throw bad(`tensor ${e.name} does not start where the previous one ends`);
    at = e.end;
  }
  if (at !== dataLength) throw bad(at > dataLength ? 'it is truncated' : 'it has bytes after its last tensor');
  const tensors = entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype, data: readValues(buf, dataStart + e.begin, e.dtype, elements(e.shape)) }));
  return { metadata, tensors };
}
