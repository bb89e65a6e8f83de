// Where the Train form starts when it remembers nothing for a dataset: a run a laptop's CPU
// finishes in minutes, not the paper's ResNet-32 for 200 epochs (hours there; RUN_DEFAULTS, which
// the command line keeps). The small CNN at 30 epochs learns Fashion-MNIST-LT and CIFAR-LT well
// enough to compare methods; the form says so and a click changes it.
import type { ModelKind } from './run-config';

export const FORM_START: { model: ModelKind; epochs: number } = { model: 'cnn', epochs: 30 };
