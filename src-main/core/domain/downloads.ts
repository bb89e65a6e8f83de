// The datasets the workbench can download by itself: where each file comes from and the MD5 its
// publisher (or torchvision, which checks the same files) gives for it. Addresses and checksums are
// torchvision's (torchvision/datasets/mnist.py, cifar.py) except CIFAR, whose binary tarballs are
// listed with their MD5s on https://www.cs.toronto.edu/~kriz/cifar.html: torchvision fetches the
// python-pickle tarballs, but our CIFAR importer reads the binary layout, which holds the same images.

/** An attempt gives up when no data arrives for this long (a request's timeoutSeconds overrides it). */
export const DOWNLOAD_TIMEOUT_SECONDS = 30;

export type DownloadId = 'cifar10' | 'cifar100' | 'mnist' | 'fashion-mnist' | 'kmnist';

export interface DownloadFile {
  /** the file's name as published (and as cached) */
  name: string;
  md5: string;
  /** its published size in bytes: a transfer stops past it (plus downloadLimit's margin), whatever the server announces */
  bytes: number;
  /** tried in order; a mirror override replaces them */
  urls: string[];
}

export interface DownloadEntry {
  id: DownloadId;
  title: string;
  homepage: string;
  licence: string;
  /** what the download weighs, for the UI ("about 162 MB"); the server's Content-Length is what progress uses */
  approxMB: number;
  images: string;
  /** 'idx': four gzipped IDX files imported as they are; 'cifar-bin': one tarball of CIFAR binary batches */
  kind: 'idx' | 'cifar-bin';
  files: DownloadFile[];
  /** class names, where the files do not carry them (IDX); CIFAR's tarballs hold their own names file */
  classNames?: string[];
}

const from = (bases: string[], name: string, md5: string, bytes: number): DownloadFile => ({ name, md5, bytes, urls: bases.map((b) => b + name) });

/**
 * The most a download of `file` may receive: its size plus 1% (at least 64 KiB), in case a size
 * here is off. Past it the bytes cannot match the checksum; a server that streams on (no
 * Content-Length, or a false one) would otherwise fill the disk.
 */
export function downloadLimit(file: DownloadFile): number {
  return file.bytes + Math.max(64 * 1024, Math.ceil(file.bytes / 100));
}

const MNIST_BASES = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];
const FASHION_BASES = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];
const KMNIST_BASES = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'];
const CIFAR_BASES = ['https://www.cs.toronto.edu/~kriz/'];

export const IDX_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

type Four<T> = [T, T, T, T];
const idxFiles = (bases: string[], md5: Four<string>, bytes: Four<number>): DownloadFile[] => [
  from(bases, IDX_FILE_NAMES.trainImages, md5[0], bytes[0]),
  from(bases, IDX_FILE_NAMES.trainLabels, md5[1], bytes[1]),
  from(bases, IDX_FILE_NAMES.testImages, md5[2], bytes[2]),
  from(bases, IDX_FILE_NAMES.testLabels, md5[3], bytes[3]),
];

export const DOWNLOADS: readonly DownloadEntry[] = [
  {
    id: 'cifar10', title: 'CIFAR-10', homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    licence: 'no licence stated; the authors ask users to cite Krizhevsky (2009), "Learning Multiple Layers of Features from Tiny Images"',
    approxMB: 162, images: '50,000 + 10,000 colour 32×32 images, 10 classes', kind: 'cifar-bin',
    files: [from(CIFAR_BASES, 'cifar-10-binary.tar.gz', 'c32a1d4ab5d03f1284b67883e8d87530', 170_052_171)],
  },
  {
    id: 'cifar100', title: 'CIFAR-100', homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    licence: 'no licence stated; the authors ask users to cite Krizhevsky (2009), "Learning Multiple Layers of Features from Tiny Images"',
    approxMB: 161, images: '50,000 + 10,000 colour 32×32 images, 100 classes', kind: 'cifar-bin',
    files: [from(CIFAR_BASES, 'cifar-100-binary.tar.gz', '03b5dce01913d631647c71ecec9e9cb8', 168_513_733)],
  },
  {
    id: 'mnist', title: 'MNIST', homepage: 'http://yann.lecun.com/exdb/mnist/',
    licence: 'CC BY-SA 3.0 (LeCun, Cortes & Burges)', approxMB: 11, images: '60,000 + 10,000 grayscale 28×28 digits, 10 classes', kind: 'idx',
    files: idxFiles(MNIST_BASES, ['f68b3c2dcbeaaa9fbdd348bbdeb94873', 'd53e105ee54ea40749a09fcbcd1e9432', '9fb629c4189551a2d022fa330f9573f3', 'ec29112dd5afa0611ce80d1b7f02629c'], [9_912_422, 28_881, 1_648_877, 4_542]),
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  {
    id: 'fashion-mnist', title: 'Fashion-MNIST', homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    licence: 'MIT (Zalando SE)', approxMB: 30, images: '60,000 + 10,000 grayscale 28×28 clothing images, 10 classes', kind: 'idx',
    files: idxFiles(FASHION_BASES, ['8d4fb7e6c68d591d4c3dfef9ec88bf0d', '25c81989df183df01b3e8a0aad5dffbe', 'bef4ecab320f06d8554ea6380940ec79', 'bb300cfdad3c16e7a12a480ee83cd310'], [26_421_880, 29_515, 4_422_102, 5_148]),
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
  {
    id: 'kmnist', title: 'Kuzushiji-MNIST', homepage: 'https://github.com/rois-codh/kmnist',
    licence: 'CC BY-SA 4.0 (ROIS-DS CODH; cite Clanuwat et al. 2018)', approxMB: 21, images: '60,000 + 10,000 grayscale 28×28 cursive Japanese characters, 10 classes', kind: 'idx',
    files: idxFiles(KMNIST_BASES, ['bdb82020997e1d708af4cf47b453dcf7', 'e144d726b3acfaa3e44228e80efcd344', '5c965bf0a639b31b8f53240b1b52f4d7', '7320c461ea6c1c855c0b718fb2a4b134'], [18_165_135, 29_497, 3_041_136, 5_120]),
    classNames: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
  },
];

export function downloadEntry(id: DownloadId): DownloadEntry {
  const e = DOWNLOADS.find((d) => d.id === id);
  if (!e) throw new Error(`no download entry ${id}`);
  return e;
}

/**
 * The entry with every file fetched from `mirror` instead: `${mirror}/${id}/${file}`, the same
 * checksums. For a local mirror of all five datasets, and for the tests' loopback server.
 */
export function withMirror(entry: DownloadEntry, mirror: string | undefined): DownloadEntry {
  if (!mirror) return entry;
  const base = mirror.replace(/\/+$/, '');
  return { ...entry, files: entry.files.map((f) => ({ ...f, urls: [`${base}/${entry.id}/${f.name}`] })) };
}
