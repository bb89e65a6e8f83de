// A failed call's problems placed where a person looks for them: each under the input of its field
// (the path into the call's argument, as the core names it), the rest in one summary line above
// the form's buttons, every one in the form's words (the field's label, never its schema path).
import type { Problem } from '../../src-main/core/domain/errors';
import { ApiError, message } from './api-error';
import { FIELD_LABELS, type FormCall } from './field-labels';
import { pathKey } from './path-key';

export { pathKey };


export interface Placed {
  /** input key -> what is wrong, for the keys the form shows an input for */
  fields: Record<string, string>;
  /** problems of no field on the form: "Label: what is wrong", or the sentence itself */
  summary: string[];
}

/** Problems of `call` placed on a form that has inputs for the keys in `onForm`. */
export function placeProblems(problems: readonly Problem[], call: FormCall, onForm: readonly string[]): Placed {
  const labels: Record<string, string> = FIELD_LABELS[call];
  const out: Placed = { fields: {}, summary: [] };
  for (const p of problems) {
    const key = pathKey(p.path);
    if (key && onForm.includes(key)) out.fields[key] ??= p.message;
    else if (key && labels[key]) out.summary.push(`${labels[key]}: ${p.message}`);
    else out.summary.push(p.message);
  }
  return out;
}

/** Whatever a call threw, placed: its problems when the core sent them, else its one line as the summary. */
export function placeError(e: unknown, call: FormCall, onForm: readonly string[]): Placed {
  if (e instanceof ApiError && e.problems.length) return placeProblems(e.problems, call, onForm);
  return { fields: {}, summary: [message(e)] };
}

/**
 * The attributes and ids that tie an input to its message: aria-invalid, and aria-describedby
 * naming the message's element, so a screen reader reads the problem with the field.
 */
export function fieldAria(form: string, errors: () => Record<string, string | undefined>) {
  const id = (key: string) => `${form}-${key.replace(/[^\w-]/g, '-')}-error`;
  return {
    id,
    message: (key: string): string | undefined => errors()[key],
    attrs: (key: string) => (errors()[key] ? { 'aria-invalid': true, 'aria-describedby': id(key) } : {}),
  };
}
