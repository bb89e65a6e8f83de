#!/usr/bin/env node
// Run by `npm test` first (the "pretest" script): the tests need things npm cannot install,
// Chromium for the browser end-to-end tests (its SwiftShader Vulkan driver, with Debian's Vulkan
// loader libvulkan1, for the webgpu tests), Debian's Fashion-MNIST for the integration tests
// on real data, and PyTorch and ONNX (python3-torch, python3-onnx) to load the exports. Where they are missing, as root on a machine with apt-get, this installs the
// Debian packages; otherwise it stops at once with one line giving the command to run. No test
// skips for want of them: they fail, so a green run means everything was tested.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
const FASHION_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
/** the same lookup as test/e2e/ui.test.ts */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

function fail(line) {
  process.stderr.write(`npm test: ${line}\n`);
  process.exit(1);
}

// a Chromium of the user's choosing is not something apt-get can put in place
if (process.env.CHROMIUM !== undefined && !existsSync(CHROMIUM)) {
  fail(`CHROMIUM=${CHROMIUM} does not exist; point it at a Chromium binary, or unset it to use /usr/bin/chromium`);
}

const onPath = (cmd) => spawnSync('/bin/sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const dpkgKnows = () => process.platform === 'linux' && onPath('dpkg-query');
const dpkgInstalled = (pkg) => spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.trim() === 'install ok installed';

function missing() {
  const out = [];
  if (!existsSync(CHROMIUM)) out.push({ pkg: 'chromium', what: `Chromium (${CHROMIUM})` });
  if (!FASHION_FILES.every((f) => existsSync(`${FASHION_MNIST}/${f}.gz`) || existsSync(`${FASHION_MNIST}/${f}`))) {
    out.push({ pkg: 'dataset-fashion-mnist', what: `Fashion-MNIST (${FASHION_MNIST})` });
  }
  // the webgpu tests run Chromium's SwiftShader Vulkan driver through the Vulkan loader
  if (dpkgKnows() && !dpkgInstalled('libvulkan1')) out.push({ pkg: 'libvulkan1', what: 'the Vulkan loader (libvulkan1)' });
  // the exports' PyTorch and ONNX checks (test/integration/weights-travel.test.ts) load them as a user would
  if (dpkgKnows() && !dpkgInstalled('python3-torch')) out.push({ pkg: 'python3-torch', what: 'PyTorch (python3-torch)' });
  if (dpkgKnows() && !dpkgInstalled('python3-onnx')) out.push({ pkg: 'python3-onnx', what: 'the ONNX checker (python3-onnx)' });
  return out;
}


// Under CI=true the Slurm executor's test must run, not report "not run": the one-node cluster of
// test/cluster/setup-slurm.sh (idempotent, silent when all is up) is set up here.
if (/^(1|true)$/i.test(process.env.CI ?? '') && process.platform === 'linux') {
  const setup = spawnSync('bash', [new URL('../cluster/setup-slurm.sh', import.meta.url).pathname], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (setup.status !== 0) fail(`${(setup.stderr ?? '').trim() || 'test/cluster/setup-slurm.sh failed'} (CI=true needs Slurm for the Slurm executor's test)`);
}

const need = missing();
if (need.length === 0) process.exit(0);

const pkgs = need.map((n) => n.pkg).join(' ');
const what = need.map((n) => n.what).join(' and ');
const apt = process.platform === 'linux' && onPath('apt-get');
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!apt) {
  fail(`needs ${what}; this machine has no apt-get: install Chromium and set CHROMIUM=/path/to/chromium, and put Fashion-MNIST's four IDX files in ${FASHION_MNIST} (\`npx dive --db /tmp/fm.sqlite import fashion-mnist --download --dir ${FASHION_MNIST}\` fetches them)`);
}
if (!root) fail(`needs ${what}: run \`sudo apt-get install -y ${pkgs}\` and then npm test again`);

process.stderr.write(`npm test: installing ${pkgs} with apt-get (tests need ${what})\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status === 0;
// a fresh image has empty package lists: update first
if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', '--no-install-recommends', ...need.map((n) => n.pkg)])) {
  fail(`\`apt-get install -y ${pkgs}\` failed (see above); install them and run npm test again`);
}
const still = missing();
if (still.length) fail(`apt-get ran but ${still.map((n) => n.what).join(' and ')} is still missing`);
