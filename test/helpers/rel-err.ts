// The kernel tests' one measure of agreement: the largest absolute difference over the largest
// magnitude of the reference (the absolute difference when the reference is all zeros).
import assert from 'node:assert/strict';

export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
