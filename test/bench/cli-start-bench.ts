// `npm run bench:start`: what one `dive` command costs to start, against a bare `node -e 0` in the
// same run, on an empty store. The goal (issue 20): `dive runs --json`, `dive --help` and
// `dive datasets --json` within 5x the CPU time of `node -e 0`. CPU time (user + system, read
// with getrusage(RUSAGE_CHILDREN) through bash's `times` around a batch of runs) is the figure: it
// is what the process costs, while the wall time of a shared machine is mostly waiting for a core.
// Batches alternate between node and dive, so both see the same load; the reference row is the
// CLI as it ran before it was compiled (tsx compiling the TypeScript sources at every start).
//   npm run bench:start [-- --runs 10 --rounds 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 10);
const ROUNDS = arg('rounds', 3);

const sh = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** CPU and wall ms per run of `argv`, over a batch of `n` runs in one bash (whose `times` sums its children). */
function batch(argv: string[], n: number, env: NodeJS.ProcessEnv): { cpu: number; wall: number } {
  const cmd = argv.map(sh).join(' ');
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `for i in $(seq ${n}); do ${cmd} >/dev/null || exit 1; done; times`], { encoding: 'utf8', env });
  const wall = (performance.now() - t0) / n;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  // `times` prints the shell's own user/sys, then its children's: "0m0.123s 0m0.045s"
  const children = r.stdout.trim().split('\n').at(-1)!;
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { cpu: (1000 * (secs[0] + secs[1])) / n, wall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const dir = mkdtempSync(join(tmpdir(), 'dive-bench-start-'));
try {
  const env = { ...process.env, DIVE_DB: join(dir, 'dive.sqlite'), DIVE_DATA_DIR: undefined };
  const dive = [process.execPath, join(ROOT, 'src-main', 'cli', 'dive.mjs')];
  const tsx = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(join(ROOT, 'src-main', 'cli', 'main.ts'))}); process.exitCode = await main(process.argv.slice(1));`];
  const node = [process.execPath, '-e', '0'];
  // builds out/ if a source changed, and creates the empty store
  batch([...dive, 'runs', '--json'], 1, env);
  const commands: [string, string[], number, number][] = [
    ['dive runs --json', [...dive, 'runs', '--json'], RUNS, ROUNDS],
    ['dive --help', [...dive, '--help'], RUNS, ROUNDS],
    ['dive datasets --json', [...dive, 'datasets', '--json'], RUNS, ROUNDS],
    ['reference: dive runs --json through tsx (the CLI before it was compiled)', [...tsx, 'runs', '--json'], Math.max(1, RUNS >> 1), 1],
  ];
  const load = loadavg()[0];
  console.log(`CLI start-up, ${RUNS} runs per batch, ${ROUNDS} batches alternating with \`node -e 0\`; load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores (Node ${process.version})`);
  console.log('| command | CPU ms per run | `node -e 0` CPU ms | ratio (goal <= 5x) | wall ms | `node -e 0` wall ms |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, argv, n, rounds] of commands) {
    const ours: { cpu: number; wall: number }[] = [];
    const bare: { cpu: number; wall: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      bare.push(batch(node, n, env));
      ours.push(batch(argv, n, env));
    }
    const [c, b] = [median(ours.map((x) => x.cpu)), median(bare.map((x) => x.cpu))];
    const [w, bw] = [median(ours.map((x) => x.wall)), median(bare.map((x) => x.wall))];
    console.log(`| \`${name}\` | ${c.toFixed(0)} | ${b.toFixed(0)} | ${(c / b).toFixed(1)}x | ${w.toFixed(0)} | ${bw.toFixed(0)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
