// Process entry of a training worker (child process or Electron utilityProcess): registers tsx, then runs worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
