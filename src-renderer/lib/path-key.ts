import type { FieldPath } from '../../src-main/core/domain/errors';

/** A field's path as the forms key their inputs: dot-joined, list positions dropped (`config.milestones`). */
export function pathKey(path: FieldPath): string {
  return path.filter((p) => typeof p === 'string').join('.');
}
