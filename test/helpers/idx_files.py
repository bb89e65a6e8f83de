"""IDX files (MNIST, Fashion-MNIST) for the PyTorch scripts: the parity benches (test/bench/torch_parity.py,
torch_exact.py) and pytorch_eval.py read the images from the same files the workbench imported."""
import gzip
import os
import struct

import numpy as np


def read_idx(path):
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
        data = f.read()
    (magic,) = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, stem, prog):
    """The file `stem` or `stem`.gz in `folder`; a one-line exit naming `prog` when neither is there."""
    for name in (stem, stem + ".gz"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"{prog}: {stem}(.gz) not found in {folder}")
