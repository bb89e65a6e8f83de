"""PyTorch side of `npm run bench:parity -- --exact` (test/bench/parity-exact.ts): trains one cell
step for step as the workbench did, from the same initial weights, on the same batches in the same
order, and prints one JSON line with every step's loss. Errors go to stderr with a non-zero exit.

The cell file (written by the TS driver) gives the recipe, the per-epoch sample orders and the
normalisation; the weights come in and go out as safetensors through docs/pytorch/models.py, the
modules a user loads exported runs with. Losses as the reference code writes them:
- ce: F.cross_entropy; bsce: F.cross_entropy(z + log n, y) (Ren et al.'s BalancedSoftmax);
- ldam-drw: kaidic/LDAM-DRW's LDAMLoss (margins n^-1/4 scaled to max_m, s * (z - m_y onehot)),
  with its DRW class-balanced weights (beta 0.9999, normalised to sum C) from drwEpoch on,
  through F.cross_entropy(weight=w), i.e. a weighted mean;
- kd: (1 - a) CE + a T^2 KL(softmax(z_t / T) || softmax(z / T)), F.kl_div 'batchmean';
- dive: (1 - a) BSCE + a T^2 KL(t || softmax(z / T)), t = softmax(z_t / T)^p renormalised (as
  BagofTricks-LT's DiVEKLD), teacher in eval mode under no_grad;
- SGD(momentum, weight_decay) over model.parameters(), batch norm momentum 0.1, eps 1e-5.

Run: python3 test/bench/torch_exact.py --cell cell.json --split split.json --init init.safetensors
       [--teacher teacher.safetensors] --out final.safetensors
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "docs", "pytorch"))
from models import build, load_safetensors, save_safetensors  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "helpers"))
from idx_files import find, read_idx  # noqa: E402


def load_model(path, cell, classes, dtype):
    state, _ = load_safetensors(path)
    model = build(cell["model"], cell["imageShape"], classes, cell["normHead"])
    model.load_state_dict(state, strict=True)
    return model.to(dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cell", required=True)
    ap.add_argument("--split", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--teacher")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1)
    # float64: the same training in double precision, the floor against which float32 rounding shows
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cell = json.load(open(a.cell))
    split = json.load(open(a.split))
    x_all = read_idx(find(split["folder"], "train-images-idx3-ubyte", "torch_exact"))
    idx = np.asarray(split["indices"], dtype=np.int64)
    counts = split["counts"]
    classes = len(counts)
    x = x_all[idx]
    y = torch.from_numpy(read_idx(find(split["folder"], "train-labels-idx1-ubyte", "torch_exact")).astype(np.int64)[idx])
    # the workbench's lookup table: (v / 255 - mean) / std in double, rounded to float32 once
    h, w, c = cell["imageShape"]
    mean, std = np.asarray(cell["mean"]), np.asarray(cell["std"])
    lut = ((np.arange(256)[None, :] / 255 - mean[:, None]) / std[:, None]).astype(np.float32)  # [C, 256]
    x = x.reshape(len(idx), h, w, c)
    xn = np.stack([lut[ch][x[..., ch]] for ch in range(c)], axis=1)  # [N, C, H, W]
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    xt = torch.from_numpy(np.ascontiguousarray(xn)).to(dtype)

    model = load_model(a.init, cell, classes, dtype)
    teacher = load_model(a.teacher, cell, classes, dtype).eval() if a.teacher else None
    p = cell["params"]
    log_n = torch.log(torch.tensor(counts, dtype=torch.float64)).to(dtype)
    m = 1.0 / torch.sqrt(torch.sqrt(torch.tensor(counts, dtype=torch.float64)))
    margins = (m * (p["ldamMaxMargin"] / m.max())).to(dtype)
    beta = p["cbBeta"]
    eff = 1.0 - np.power(beta, counts)
    cb = (1.0 - beta) / eff
    cb = torch.tensor(cb / cb.sum() * classes, dtype=dtype)

    def loss_of(z, target, epoch, zt):
        method = cell["method"]
        if method == "ce":
            return F.cross_entropy(z, target)
        if method == "bsce":
            return F.cross_entropy(z + log_n, target)
        if method == "ldam-drw":
            onehot = F.one_hot(target, classes).bool()
            out = torch.where(onehot, z - margins[None, :], z)
            weight = cb if epoch >= p["drwEpoch"] else None
            return F.cross_entropy(p["ldamScale"] * out, target, weight=weight)
        T, alpha = p["tau"], p["alpha"]
        log_q = F.log_softmax(z / T, dim=1)
        if method == "kd":
            t = F.softmax(zt / T, dim=1)
            return (1 - alpha) * F.cross_entropy(z, target) + alpha * T * T * F.kl_div(log_q, t, reduction="batchmean")
        if method == "dive":
            t = F.softmax(zt / T, dim=1).pow(p["power"])
            t = t / t.sum(dim=1, keepdim=True)
            return (1 - alpha) * F.cross_entropy(z + log_n, target) + alpha * T * T * F.kl_div(log_q, t, reduction="batchmean")
        raise SystemExit(f"torch_exact: unknown method {method}")

    opt = torch.optim.SGD(model.parameters(), lr=cell["lr"], momentum=cell["momentum"], weight_decay=cell["weightDecay"])
    batch, epochs = cell["batchSize"], cell["epochs"]
    steps = (len(idx) + batch - 1) // batch
    losses, lrs = [], []

    def lr_at(epoch, b):
        # linear warm-up per step, then x gamma at each 0-based milestone epoch reached (MultiStepLR)
        decay = cell["gamma"] ** sum(1 for ms in cell["milestones"] if epoch >= ms)
        s, total = epoch * steps + b, cell["warmupEpochs"] * steps
        warm = (s + 1) / total if s < total else 1.0
        return cell["lr"] * warm * decay
    for epoch in range(epochs):
        model.train()
        order = torch.tensor(cell["orders"][epoch], dtype=torch.int64)
        for b in range(steps):
            sel = order[b * batch:(b + 1) * batch]
            lr = lr_at(epoch, b)
            for g in opt.param_groups:
                g["lr"] = lr
            xb, yb = xt[sel], y[sel]
            zt = None
            if teacher is not None:
                with torch.no_grad():
                    zt = teacher(xb)
            opt.zero_grad(set_to_none=True)
            loss = loss_of(model(xb), yb, epoch, zt)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            lrs.append(lr)
    state = {k: (v.float() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    save_safetensors(state, a.out, {"engine": "torch " + torch.__version__, "dtype": a.dtype})
    print(json.dumps({"engine": "torch", "torch": torch.__version__, "losses": losses, "lrs": lrs}))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # one line, never a stack trace
        print(f"torch_exact: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
