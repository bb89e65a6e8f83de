// `dive recipe paper` without --split: the paper's settings per dataset, true to our model list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODELS } from '../../src-main/core/domain/run-config';
import { PAPER_SETTINGS, paperSettingsText } from '../../src-main/core/domain/paper-settings';

test('CIFAR-LT runs the paper network here; ImageNet-LT and iNaturalist say theirs is beyond our models', () => {
  const by = (prefix: string) => PAPER_SETTINGS.find((s) => s.dataset.startsWith(prefix))!;
  assert.ok((MODELS as readonly string[]).includes('resnet32'));
  for (const c of [by('CIFAR-100-LT'), by('CIFAR-10-LT')]) {
    assert.equal(c.epochs, '200');
    assert.match(c.paperModel, /^ResNet-32/);
    assert.match(c.ourModel, /^resnet32: the same network/);
    assert.match(c.commands[0], /^dive import cifar10{1,2} --download$/);
  }
  assert.match(by('ImageNet-LT').ourModel, /^ResNeXt-50 is beyond our models/);
  assert.match(by('iNaturalist 2018').ourModel, /^ResNet-50 is beyond our models/);
  assert.equal(by('CIFAR-100-LT').diveTop1, '45.35 / 51.13 / 62.00');
});

test('prints one block per dataset with its commands', () => {
  const text = paperSettingsText();
  assert.equal(text.split('\n\n').length, PAPER_SETTINGS.length);
  assert.ok(text.includes('    dive recipe paper --split cifar100-lt100\n'));
  assert.ok(text.includes('--train-list ImageNet_LT_train.txt --test-list ImageNet_LT_test.txt'));
});

test('ImageNet-LT and iNaturalist are split as they are (natural) and the recipe runs on that split', () => {
  for (const [prefix, ds] of [['ImageNet-LT', 'imagenet-lt'], ['iNaturalist 2018', 'inat18']] as const) {
    const s = PAPER_SETTINGS.find((x) => x.dataset.startsWith(prefix))!;
    assert.deepEqual(s.commands.slice(1), [`dive split --dataset ${ds} --name ${ds}-natural --profile natural`, `dive recipe paper --split ${ds}-natural --model resnet32`]);
    assert.match(s.note ?? '', /--profile natural/);
  }
});
