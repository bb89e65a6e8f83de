import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterName, isSoftwareAdapter, linuxVulkanMissing, noAdapterReason } from '../../src-main/core/train/webgpu';

test('software adapters are told from hardware ones', () => {
  assert.equal(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA GeForce RTX 4070 Laptop GPU' }), false);
  assert.equal(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M3 Pro' }), false);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', isFallbackAdapter: true }), true);
});

test('adapter names: the description, with vendor and architecture it does not already say', () => {
  assert.equal(adapterName({ vendor: 'google', architecture: 'swiftshader', device: 'x', description: 'SwiftShader driver 5.0.0' }), 'SwiftShader driver 5.0.0 (google)');
  assert.equal(adapterName({ vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA GeForce RTX 4070' }), 'NVIDIA GeForce RTX 4070 (ada)');
  assert.equal(adapterName({ vendor: 'amd', architecture: '', device: '', description: '' }), 'amd');
  assert.equal(adapterName({ vendor: '', architecture: '', device: '', description: '' }), 'unnamed adapter');
});

test('a missing adapter says what to install on each platform', () => {
  assert.match(noAdapterReason('linux', true), /libvulkan\.so\.1 is missing \(install libvulkan1/);
  assert.match(noAdapterReason('linux', false), /no Vulkan driver offers a usable GPU/);
  assert.match(noAdapterReason('darwin', false), /Metal found no GPU/);
  assert.match(noAdapterReason('win32', false), /D3D12 found no GPU/);
});

test('Linux: no Vulkan loader or no driver manifest is known before Dawn is asked', () => {
  const none = () => false;
  const some = () => true;
  assert.match(linuxVulkanMissing({}, none, some) ?? '', /libvulkan\.so\.1 is missing/);
  assert.match(linuxVulkanMissing({}, some, none) ?? '', /no Vulkan driver is installed/);
  assert.equal(linuxVulkanMissing({}, some, some), undefined);
  // a driver named in the environment (SwiftShader in the tests) is left for Dawn to try
  assert.equal(linuxVulkanMissing({ VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' }, some, none), undefined);
});
