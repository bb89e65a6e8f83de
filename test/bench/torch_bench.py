"""PyTorch counterpart of train-bench.ts: the same models, batch, input shape and SGD step on
synthetic data, timed the same way. Prints one JSON line per measurement on stdout (the TS
driver parses them); errors go to stderr with a non-zero exit.

Models mirror src-main/core/train/models.ts (which follows LDAM-DRW's resnet_cifar.py):
- cnn: conv3x3(16, pad 1, no bias)-BN-ReLU-maxpool2, conv3x3(32)-BN-ReLU-maxpool2, flatten, linear;
- resnet8/20/32: conv3x3 16-BN-ReLU, three stages of n = 1/3/5 basic blocks (16/32/64 channels,
  stride 2 entering stages 2 and 3), option-A shortcuts (x[:, :, ::2, ::2] zero-padded by
  planes/4 channels each side), global average pooling, linear.
The step: train-mode forward, cross-entropy, backward, SGD (momentum, L2 weight decay on every
parameter, as the reference passes model.parameters() as one group), loss.item() each step.

Run: python3 test/bench/torch_bench.py --model cnn --shape 28x28x1 --batch 128 \
       --steps 20 --warmup 3 --threads default,1
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

RESNET_BLOCKS = {"resnet8": 1, "resnet20": 3, "resnet32": 5}


class Cnn(nn.Module):
    def __init__(self, h, w, c, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.flat = (h // 2 // 2) * (w // 2 // 2) * 32
        self.linear = nn.Linear(self.flat, classes)

    def forward(self, x):
        y = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2, 2)
        y = F.max_pool2d(F.relu(self.bn2(self.conv2(y))), 2, 2)
        return self.linear(torch.flatten(y, 1))


class BasicBlock(nn.Module):
    def __init__(self, in_c, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_c, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.side = planes // 4 if stride != 1 or in_c != planes else None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x if self.side is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.side, self.side))
        return F.relu(y + s)


class ResNet(nn.Module):
    def __init__(self, n, c, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, in_c = [], 16
        for stage, planes in enumerate((16, 32, 64)):
            for b in range(n):
                blocks.append(BasicBlock(in_c, planes, 2 if b == 0 and stage > 0 else 1))
                in_c = planes
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(64, classes)

    def forward(self, x):
        y = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.linear(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


def build(kind, h, w, c, classes):
    if kind == "cnn":
        return Cnn(h, w, c, classes)
    if kind in RESNET_BLOCKS:
        return ResNet(RESNET_BLOCKS[kind], c, classes)
    raise SystemExit(f"torch_bench: unknown model '{kind}'")


def parse_shape(s):
    parts = s.lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise SystemExit(f"torch_bench: --shape must be HxWxC, got '{s}'")
    return tuple(int(p) for p in parts)


def peak_rss_mb():
    # ru_maxrss is in kB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def gpu_device():
    """The GPU PyTorch can train on here: ('cuda', name), ('mps', 'Apple GPU') or (None, why not)."""
    if torch.cuda.is_available():
        return "cuda", torch.cuda.get_device_name(0)
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps", "Apple GPU (Metal)"
    return None, f"PyTorch {torch.__version__} sees no CUDA or MPS device"


def measure(args, shape, threads):
    h, w, c = shape
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    model = build(args.model, h, w, c, args.classes).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    # a few distinct batches, cycled, like the TS driver (loss.item() waits for the device each step)
    xs = [torch.randn(args.batch, c, h, w, device=dev) for _ in range(args.distinct)]
    ys = [torch.randint(0, args.classes, (args.batch,), device=dev) for _ in range(args.distinct)]

    def train_step(i):
        x, y = xs[i % args.distinct], ys[i % args.distinct]
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        return loss.item()

    def best_of(f):
        # the fastest of --repeat timed runs: the least disturbed one on a shared machine; also the
        # least process CPU time (all threads) of those runs, steadier than wall time under load
        best = float("inf")
        best_cpu = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            c0 = time.process_time()
            f()
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        return best, best_cpu

    def train_run():
        for i in range(args.steps):
            train_step(i)

    def infer_run():
        for i in range(args.steps):
            model(xs[i % args.distinct]).sum().item()

    model.train()
    for i in range(args.warmup):
        train_step(i)
    train_s, train_cpu_s = best_of(train_run)
    load = os.getloadavg()[0]

    model.eval()
    with torch.no_grad():
        for i in range(max(args.warmup, 1)):
            model(xs[i % args.distinct])
        infer_s, _ = best_of(infer_run)

    n = args.batch * args.steps
    return {
        "engine": "torch",
        "torch": torch.__version__,
        "model": args.model,
        "shape": args.shape,
        "batch": args.batch,
        "threads": threads,
        "device": args.device,
        "steps": args.steps,
        "warmup": args.warmup,
        "repeat": args.repeat,
        "train_ips": n / train_s,
        "train_cpu_ips": n / train_cpu_s,
        "infer_ips": n / infer_s,
        "peak_rss_mb": peak_rss_mb(),
        "load": load,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model")
    p.add_argument("--shape")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeat", type=int, default=1, help="timed runs of --steps steps; the fastest counts")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--threads", default="default", help="comma list of thread counts; 'default' = torch's own choice")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--distinct", type=int, default=4, help="distinct synthetic batches, cycled")
    p.add_argument("--device", default="cpu", help="cpu, cuda or mps")
    p.add_argument("--gpu-info", action="store_true", help="print the GPU PyTorch can use, as JSON, and exit")
    args = p.parse_args()
    if args.gpu_info:
        kind, name = gpu_device()
        print(json.dumps({"device": kind, "name": name}), flush=True)
        return
    if not args.model or not args.shape:
        raise SystemExit("torch_bench: --model and --shape are required")
    if args.batch < 1 or args.steps < 1 or args.repeat < 1 or args.warmup < 0:
        raise SystemExit("torch_bench: --batch, --steps and --repeat must be >= 1, --warmup >= 0")
    shape = parse_shape(args.shape)
    default_threads = torch.get_num_threads()
    seen = set()
    for t in args.threads.split(","):
        t = t.strip()
        n = default_threads if t == "default" else int(t)
        if n < 1:
            raise SystemExit(f"torch_bench: bad thread count '{t}'")
        if n in seen:
            continue
        seen.add(n)
        rec = measure(args, shape, n)
        rec["default_threads"] = default_threads
        print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
