/**
 * The split's training samples gathered into one buffer: sample `idx[i]` of the dataset's training
 * pixels (`img` bytes each) and its label become sample `i`. Shared by the local worker (files from
 * the store) and the remote one (files from its cache).
 */
export function gatherSplit(all: Uint8Array, labels: Int32Array, idx: Int32Array, img: number): { images: Uint8Array; labels: Int32Array } {
  const images = new Uint8Array(idx.length * img);
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    images.set(all.subarray(idx[i] * img, (idx[i] + 1) * img), i * img);
    out[i] = labels[idx[i]];
  }
  return { images, labels: out };
}
