/** Int32 little-endian whatever the machine's byte order, so a data directory can move between machines. */
export function int32ToBlob(values: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(values.length * 4);
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < values.length; i++) v.setInt32(i * 4, values[i], true);
  return b;
}

export function int32FromBlob(b: Uint8Array): Int32Array {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const out = new Int32Array(b.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = v.getInt32(i * 4, true);
  return out;
}
