// The WebGPU rung: TF.js's webgpu backend on Dawn's Node bindings (the npm package `webgpu`, which
// ships prebuilt dawn.node for linux-x64/arm64, darwin-universal and win32). Dawn drives Vulkan on
// Linux (NVIDIA, AMD, Intel), Metal on macOS (Apple silicon, AMD) and D3D12 on Windows, so this one
// rung serves the GPUs that tfjs-node-gpu (CUDA 11.2 only) cannot.
//
// A software adapter (SwiftShader, llvmpipe, WARP) runs shaders on the CPU at a few images a
// second: it is never chosen on its own, only when asked for (allowSoftware), which the tests do.
//
// tfjs-backend-webgpu registers its backend only where globalThis.navigator.gpu exists (a browser),
// so the backend is registered here with the adapter this module chose; the package's kernels
// register themselves on import either way.
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import type { AdapterFacts } from '../domain/types';
import { BackendUnavailable, checkSharedCore } from './backend-packages';

/** What the chosen adapter says about itself (GPUAdapterInfo, plus what we derive from it); the type lives in domain/. */
export type { AdapterFacts };

export interface WebgpuStart {
  facts: AdapterFacts;
  detail: string;
}

export interface WebgpuOptions {
  /** use a software adapter when no hardware one is there (tests; never for real training) */
  allowSoftware?: boolean;
}

/** Adapter names of CPU implementations of WebGPU/Vulkan/D3D. */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** True when an adapter is a CPU implementation: Dawn's fallback flag or a known software driver. */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter === true) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((s) => s !== undefined && SOFTWARE_NAMES.test(s));
}

/** One line naming an adapter, e.g. "NVIDIA GeForce RTX 4070 Laptop GPU (nvidia, ada)". */
export function adapterName(f: Pick<AdapterFacts, 'vendor' | 'architecture' | 'device' | 'description'>): string {
  const name = f.description || f.device || f.vendor || 'unnamed adapter';
  const extra = [f.vendor, f.architecture].filter((s) => s && !name.toLowerCase().includes(s.toLowerCase()));
  return extra.length > 0 ? `${name} (${extra.join(', ')})` : name;
}

/** The reason a missing adapter gets, with what to install where that is known. */
export function noAdapterReason(platform: NodeJS.Platform, vulkanMissing: boolean): string {
  if (platform === 'linux') {
    return vulkanMissing
      ? 'no WebGPU adapter: libvulkan.so.1 is missing (install libvulkan1 and the GPU vendor Vulkan driver)'
      : 'no WebGPU adapter: no Vulkan driver offers a usable GPU (install the GPU vendor Vulkan driver)';
  }
  if (platform === 'darwin') return 'no WebGPU adapter: Metal found no GPU';
  if (platform === 'win32') return 'no WebGPU adapter: D3D12 found no GPU (update the GPU driver)';
  return `no WebGPU adapter on ${platform}`;
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

let gpu: GPU | undefined;
let started: WebgpuStart | undefined;

/** Loads dawn.node once and gives Dawn's GPU object; the WebGPU constants become globals (TF.js reads them). */
async function dawn(): Promise<GPU> {
  if (gpu) return gpu;
  let mod: DawnModule;
  try {
    mod = (await import('webgpu')) as DawnModule;
  } catch (e) {
    const m = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    if (/Cannot find (package|module) 'webgpu'/.test(m)) throw new BackendUnavailable('the webgpu package is not installed');
    throw new BackendUnavailable(`dawn.node failed to load: ${m}`);
  }
  Object.assign(globalThis, mod.globals);
  gpu = mod.create([]);
  return gpu;
}

/** Dawn prints "Couldn't load Vulkan: libvulkan.so.1" itself; we only need to know whether that happened. */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // process.dlopen needs a Node addon; a plain library fails after loading, with a different message.
    process.dlopen({ exports: {} }, 'libvulkan.so.1');
    return false;
  } catch (e) {
    return /libvulkan\.so\.1: cannot open shared object/.test(e instanceof Error ? e.message : '');
  }
}

/** Where the Vulkan loader looks for driver manifests on Linux (besides VK_ICD_FILENAMES / VK_DRIVER_FILES). */
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * On Linux, says why Vulkan cannot offer an adapter before Dawn is asked (Dawn would print its own
 * warnings to stderr on every run of a machine without a GPU); undefined when it might.
 */
export function linuxVulkanMissing(env: NodeJS.ProcessEnv, vulkanLoader: () => boolean, icdDirsWithFiles: (dirs: string[]) => boolean): string | undefined {
  if (!vulkanLoader()) return noAdapterReason('linux', true);
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.XDG_DATA_DIRS?.split(':').some((d) => icdDirsWithFiles([`${d}/vulkan/icd.d`]))) return undefined;
  if (!icdDirsWithFiles(ICD_DIRS)) return 'no WebGPU adapter: no Vulkan driver is installed (install the GPU vendor Vulkan driver)';
  return undefined;
}

function hasFiles(dirs: string[]): boolean {
  return dirs.some((d) => {
    try {
      return fs.readdirSync(d).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

/** Asks Dawn for its best adapter and describes it, without starting a backend. */
export async function probeAdapter(): Promise<{ adapter: GPUAdapter; facts: AdapterFacts }> {
  if (process.platform === 'linux') {
    const missing = linuxVulkanMissing(process.env, () => !vulkanLoaderMissing(), hasFiles);
    if (missing) throw new BackendUnavailable(missing);
  }
  const g = await dawn();
  const adapter = await g.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new BackendUnavailable(noAdapterReason(process.platform, vulkanLoaderMissing()));
  const info = adapter.info;
  const fallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const facts: AdapterFacts = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: isSoftwareAdapter({ vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: fallback }),
    maxBufferSize: adapter.limits.maxBufferSize,
  };
  return { adapter, facts };
}

/** The device limits and features tfjs-backend-webgpu's own factory asks for. */
function deviceDescriptor(adapter: GPUAdapter): GPUDeviceDescriptor {
  const l = adapter.limits;
  const features: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  return {
    requiredFeatures: features,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/**
 * Starts the webgpu backend on Dawn's adapter and makes it current. Refuses a software adapter
 * unless allowed. Once started, the adapter stays for the process.
 */
export async function loadWebgpu(opts: WebgpuOptions = {}): Promise<WebgpuStart> {
  checkSharedCore('@tensorflow/tfjs-backend-webgpu');
  if (started && tf.findBackend('webgpu')) {
    if (started.facts.software && !opts.allowSoftware) throw new BackendUnavailable(`only a software adapter (${adapterName(started.facts)}) is available`);
    if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailable('the webgpu backend did not start');
    return started;
  }
  const { adapter, facts } = await probeAdapter();
  if (facts.software && !opts.allowSoftware) {
    throw new BackendUnavailable(`only a software adapter (${adapterName(facts)}) is available; it is far slower than wasm (allow it with --allow-software-adapter or DIVE_WEBGPU_ALLOW_SOFTWARE=1)`);
  }
  // Imported before navigator.gpu exists, the package registers its kernels but not its own
  // factory (which would pick an adapter itself); its backend's constructor then checks
  // navigator.gpu, which Node does not have.
  const pkg = await import('@tensorflow/tfjs-backend-webgpu');
  const g = await dawn();
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu: g }, configurable: true, writable: true });
  else if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: g, configurable: true });
  const device = await adapter.requestDevice(deviceDescriptor(adapter));
  if (tf.engine().registryFactory.webgpu) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new pkg.WebGPUBackend(device, adapter.info), 3);
  if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailable(`the webgpu backend did not start on ${adapterName(facts)}`);
  const memory = `${Math.round(facts.maxBufferSize / 2 ** 20)} MB max buffer`;
  started = { facts, detail: `webgpu on ${adapterName(facts)}${facts.software ? ', a software adapter' : ''}, ${memory}` };
  return started;
}
