// The backend names a run config may ask for, in a module without TF.js so that a request can be
// checked (and refused) before its run row exists, without loading a backend.
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
