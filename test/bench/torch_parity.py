"""PyTorch reference for parity-bench.ts: trains one cell (model, epochs, augmentation, warm-up
form, seed) of the accuracy comparison on the workbench's own split, and prints one JSON line
with the final epoch's test metrics. Errors go to stderr with a non-zero exit.

It reads the split exported by the TS driver (split.json: the training indices into the
dataset's IDX training file, in the workbench's order, and the per-class counts) and the IDX
files themselves, so both sides train on exactly the same images. The recipe mirrors
src-main/core/train (loop.ts, schedule.ts, augment.ts, losses.ts, layers.ts):
- input: pixel / 255 normalised by the split's per-channel mean and population std; crop pads
  the raw image with black (0) before normalising, offsets uniform in [-pad, pad]; flip p = 0.5;
- init: Kaiming normal (std sqrt(2 / fan_in)) for conv and linear weights, linear biases
  uniform(+-1/sqrt(fan_in)), batch norm 1 / 0 (torch defaults otherwise);
- loss: Balanced Softmax, CE(z + log n, y); prediction argmax z;
- SGD momentum 0.9, weight decay 2e-4 on every parameter, batch 128, shuffled each epoch, the
  last partial batch kept;
- lr: linear warm-up over W epochs, per step ((s + 1) / (W * B)) or per epoch ((e + 1) / W),
  x gamma at each milestone epoch (0-based, set per epoch).

Run: python3 test/bench/torch_parity.py --split split.json --model cnn --epochs 10 \
       --augment none --warmup-form step --warmup 1 --milestones 6,8 --seed 1
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import build as build_conv  # noqa: E402  (the same cnn / resnet definitions)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from idx_files import find, read_idx  # noqa: E402


class Mlp(nn.Module):
    def __init__(self, h, w, c, classes):
        super().__init__()
        self.fc1 = nn.Linear(h * w * c, 256)
        self.fc2 = nn.Linear(256, 256)
        self.linear = nn.Linear(256, classes)

    def forward(self, x):
        # ours flattens NHWC; the order of the inputs does not change what an MLP can learn
        y = torch.flatten(x, 1)
        return self.linear(F.relu(self.fc2(F.relu(self.fc1(y)))))


def build(kind, h, w, c, classes):
    m = Mlp(h, w, c, classes) if kind == "mlp" else build_conv(kind, h, w, c, classes)
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(mod.weight, mode="fan_in", nonlinearity="relu")
            if mod.bias is not None:
                bound = 1 / math.sqrt(mod.weight.shape[1] if isinstance(mod, nn.Linear) else mod.weight[0].numel())
                nn.init.uniform_(mod.bias, -bound, bound)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--augment", choices=["none", "crop+flip"], required=True)
    ap.add_argument("--warmup-form", choices=["step", "epoch"], required=True)
    ap.add_argument("--warmup", type=int, required=True)
    ap.add_argument("--milestones", default="")
    ap.add_argument("--gamma", type=float, default=0.01)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)

    split = json.load(open(a.split))
    folder = split["folder"]
    train_x = read_idx(find(folder, "train-images-idx3-ubyte", "torch_parity"))
    train_y = read_idx(find(folder, "train-labels-idx1-ubyte", "torch_parity")).astype(np.int64)
    test_x = read_idx(find(folder, "t10k-images-idx3-ubyte", "torch_parity"))
    test_y = read_idx(find(folder, "t10k-labels-idx1-ubyte", "torch_parity")).astype(np.int64)
    idx = np.asarray(split["indices"], dtype=np.int64)
    counts = split["counts"]
    classes = len(counts)
    x = train_x[idx]
    y = train_y[idx]
    got = np.bincount(y, minlength=classes).tolist()
    if got != counts:
        raise SystemExit(f"torch_parity: the split's labels give counts {got}, the workbench says {counts}")
    h, w = x.shape[1], x.shape[2]
    c = 1
    mean = x.astype(np.float64).mean() / 255
    std = x.astype(np.float64).std() / 255
    pad = round(min(h, w) / 8)

    def normalise(u8):  # uint8 [N, H, W] -> float [N, 1, H, W]
        return ((torch.from_numpy(u8).float() / 255 - mean) / std).unsqueeze(1)

    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y)
    test = normalise(test_x)
    log_n = torch.log(torch.tensor(counts, dtype=torch.float32))
    model = build(a.model, h, w, c, classes)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=2e-4)
    n = len(y)
    steps = math.ceil(n / a.batch)
    milestones = [int(m) for m in a.milestones.split(",") if m]
    gen = torch.Generator().manual_seed(a.seed)

    def lr_at(epoch, b):
        decay = a.gamma ** sum(1 for m in milestones if epoch >= m)
        if a.warmup_form == "epoch":
            warm = (epoch + 1) / a.warmup if epoch < a.warmup else 1.0
        else:
            s, total = epoch * steps + b, a.warmup * steps
            warm = (s + 1) / total if s < total else 1.0
        return a.lr * warm * decay

    def augment(u8):  # uint8 [B, H, W] -> normalised float [B, 1, H, W]
        if a.augment == "none":
            return normalise(u8.numpy())
        padded = F.pad(u8.float(), (pad, pad, pad, pad))  # black padding on the raw image
        out = torch.empty(u8.shape[0], h, w)
        offs = torch.randint(0, 2 * pad + 1, (u8.shape[0], 2), generator=gen)
        flips = torch.rand(u8.shape[0], generator=gen) < 0.5
        for i in range(u8.shape[0]):
            dy, dx = int(offs[i, 0]), int(offs[i, 1])
            img = padded[i, dy:dy + h, dx:dx + w]
            out[i] = torch.flip(img, [1]) if flips[i] else img
        return ((out / 255 - mean) / std).unsqueeze(1)

    first_loss = None
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        for b in range(steps):
            sel = perm[b * a.batch:(b + 1) * a.batch]
            for g in opt.param_groups:
                g["lr"] = lr_at(epoch, b)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(augment(xt[sel])) + log_n, yt[sel])
            loss.backward()
            opt.step()
            if first_loss is None:
                first_loss = loss.item()
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(test[i:i + 500]).argmax(1) for i in range(0, len(test), 500)]).numpy()
    per_class = [float((pred[test_y == k] == k).mean()) for k in range(classes)]
    group = lambda sel: float(np.mean([per_class[k] for k in range(classes) if sel(counts[k])])) if any(sel(n_) for n_ in counts) else None
    print(json.dumps({
        "engine": "torch", "torch": torch.__version__, "top1": float((pred == test_y).mean()),
        "many": group(lambda n_: n_ > 100), "medium": group(lambda n_: 20 <= n_ <= 100), "few": group(lambda n_: n_ < 20),
        "firstLoss": first_loss,
    }))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # one line, never a stack trace
        print(f"torch_parity: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
