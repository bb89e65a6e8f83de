// The paper's training settings for each dataset it reports (He, Wu & Wei, ICCV 2021, and the
// LDAM-DRW / BSCE recipes it follows; ../shared/docs/dive-method.md), with the commands that set
// the same thing up here and what of it our models cannot do. `dive recipe paper` prints it.
import { MODELS } from './run-config';

export interface PaperSetting {
  dataset: string;
  /** the network the paper trains */
  paperModel: string;
  epochs: string;
  /** the rest of the schedule as the paper gives it */
  schedule: string;
  /** the paper's DiVE top-1 (%) */
  diveTop1: string;
  /** whether `paperModel` is one of ours, and what to use where not */
  ourModel: string;
  commands: string[];
  /** what stands between these commands and the paper's runs */
  note?: string;
}

/** Why the large datasets take a natural split rather than a drawn profile. */
const AS_IS = 'already long-tailed: trained as published, so the split is the training set as it is (`--profile natural`: every image, the dataset\'s own counts and ratio); --size 32 keeps its pixels within reach of small models';

const CIFAR_SCHEDULE = 'SGD momentum 0.9, weight decay 2e-4, batch 128, lr 0.1 with 5 warm-up epochs, x0.01 at epochs 120 and 160 (LDAM-DRW: x0.01 at 160, x0.0001 at 180), pad-4 crop + flip, T = 3, p = 0.5, alpha = 0.5';

const NOT_RESTATED = "the paper's section 4 and the baselines it cites (not restated in our method notes)";

const ours = (m: string): boolean => (MODELS as readonly string[]).includes(m);

export const PAPER_SETTINGS: PaperSetting[] = [
  {
    dataset: 'CIFAR-100-LT (rho 100 / 50 / 10, n_max 500)', paperModel: 'ResNet-32 (CIFAR variant)', epochs: '200', schedule: CIFAR_SCHEDULE,
    diveTop1: '45.35 / 51.13 / 62.00', ourModel: ours('resnet32') ? 'resnet32: the same network (the defaults of `dive train`)' : 'missing',
    commands: [
      'dive import cifar100 --download',
      'dive split --dataset cifar100 --name cifar100-lt100 --ratio 100 --max-per-class 500',
      'dive recipe paper --split cifar100-lt100',
    ],
  },
  {
    dataset: 'CIFAR-10-LT (rho 100 / 50 / 10, n_max 5000)', paperModel: 'ResNet-32 (CIFAR variant)', epochs: '200', schedule: CIFAR_SCHEDULE,
    diveTop1: 'not in the paper\'s Table 1', ourModel: ours('resnet32') ? 'resnet32: the same network' : 'missing',
    commands: [
      'dive import cifar10 --download',
      'dive split --dataset cifar10 --name cifar10-lt100 --ratio 100 --max-per-class 5000',
      'dive recipe paper --split cifar10-lt100',
    ],
  },
  {
    dataset: 'ImageNet-LT (1,000 classes, 1,280 to 5 images per class)', paperModel: 'ResNeXt-50', epochs: '90 or 200', schedule: NOT_RESTATED,
    diveTop1: '53.1',
    ourModel: 'ResNeXt-50 is beyond our models (largest: resnet32, a CIFAR network); run resnet32 at --size 32 or 64 for a small-image stand-in, not the paper\'s figure',
    commands: [
      'dive import list --name imagenet-lt --root IMAGENET_DIR --train-list ImageNet_LT_train.txt --test-list ImageNet_LT_test.txt --size 32',
      'dive split --dataset imagenet-lt --name imagenet-lt-natural --profile natural',
      'dive recipe paper --split imagenet-lt-natural --model resnet32',
    ],
    note: AS_IS,
  },
  {
    dataset: 'iNaturalist 2018 (8,142 classes)', paperModel: 'ResNet-50', epochs: '90 or 200', schedule: NOT_RESTATED,
    diveTop1: '71.71',
    ourModel: 'ResNet-50 is beyond our models (largest: resnet32, a CIFAR network); resnet32 at --size 32 or 64 is a stand-in, not the paper\'s figure',
    commands: [
      'dive import inat --name inat18 --root INAT_DIR --train-json train2018.json --test-json val2018.json --size 32',
      'dive split --dataset inat18 --name inat18-natural --profile natural',
      'dive recipe paper --split inat18-natural --model resnet32',
    ],
    note: AS_IS,
  },
];

/** The table as `dive recipe paper` prints it without --split. */
export function paperSettingsText(rows: PaperSetting[] = PAPER_SETTINGS): string {
  return rows
    .map((r) =>
      [
        r.dataset,
        `  paper:    ${r.paperModel}, ${r.epochs} epochs; DiVE top-1 ${r.diveTop1}`,
        `  schedule: ${r.schedule}`,
        `  here:     ${r.ourModel}`,
        ...r.commands.map((c) => `    ${c}`),
        ...(r.note ? [`  note:     ${r.note}`] : []),
      ].join('\n'),
    )
    .join('\n\n');
}
