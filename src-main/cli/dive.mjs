#!/usr/bin/env node
// Entry for the `dive` command: registers tsx so the TypeScript core runs without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
