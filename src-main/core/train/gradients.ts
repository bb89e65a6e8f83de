// tfjs-core's Node entry registers no gradient functions (the @tensorflow/tfjs union package does,
// and it is not a dependency: it would pull in layers, converter and data). Every gradient config
// ships as its own ES module in tfjs-core's dist/gradients; registering them all here, once, makes
// tf.grad work for every op. The configs share the one kernel registry and engine that tfjs-core
// keeps in a global, so they apply to the CJS entry the rest of the code imports.
import * as tf from '@tensorflow/tfjs-core';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

function isGradConfig(v: unknown): v is tf.GradConfig {
  return typeof v === 'object' && v !== null && typeof (v as tf.GradConfig).kernelName === 'string' && typeof (v as tf.GradConfig).gradFunc === 'function';
}

let registered: Promise<string[]> | null = null;

/** Registers every gradient tfjs-core ships; returns the kernel names. Idempotent. */
export function registerAllGradients(): Promise<string[]> {
  registered ??= (async () => {
    const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/gradients/Abs_grad.js'));
    const names: string[] = [];
    for (const f of readdirSync(dir).filter((f) => f.endsWith('_grad.js')).sort()) {
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>;
      } catch {
        continue; // Prod_grad imports a directory, which Node's ESM loader refuses; Prod is not used here
      }
      for (const v of Object.values(mod)) {
        if (isGradConfig(v)) {
          tf.registerGradient(v);
          names.push(v.kernelName);
        }
      }
    }
    return names;
  })();
  return registered;
}
