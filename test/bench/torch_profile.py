"""PyTorch side of step-profile.ts: where one training step's time goes, per operator group.
The same model, batch, input shape and SGD step as torch_bench.py (whose build() it uses), run
under torch.autograd.profiler after a warm-up; each operator's self CPU time is put in one group:
convolution forward, convolution gradients, or everything else, and per layer (each convolution's
forward pass and gradients, each batch norm, by shape, named as step-profile-timer.ts names ours).
Prints one JSON line.

Run: python3 test/bench/torch_profile.py --model resnet8 --shape 32x32x3 --batch 128 --threads 1
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import build, parse_shape  # noqa: E402


def group(name):
    if "convolution_backward" in name:
        return "conv_grad"
    if "conv" in name:  # aten::conv2d, aten::convolution, aten::_convolution, aten::mkldnn_convolution
        return "conv_forward"
    return "other"


def conv_strides(model, x):
    """(input shape, weight shape) -> stride of every convolution, from one forward pass."""
    strides = {}

    def hook(module, inputs, _output):
        strides[(tuple(inputs[0].shape), tuple(module.weight.shape))] = module.stride[0]

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return strides


def layers_of(events, strides, steps):
    """Self time per layer and part from key_averages(group_by_input_shape=True)."""
    layers = {}

    def conv_name(x, wshape):
        n, c, h, w = x
        co, _, k, _ = wshape
        return f"conv {n}x{h}x{w}x{c} -> {co}, {k}x{k}/{strides.get((tuple(x), tuple(wshape)), '?')}"

    def put(name, part, ms):
        layers.setdefault(name, {})
        layers[name][part] = layers[name].get(part, 0.0) + ms

    for e in events:
        shapes = e.input_shapes
        ms = e.self_cpu_time_total / 1000 / steps
        if e.key == "aten::mkldnn_convolution" and len(shapes) >= 2:
            put(conv_name(shapes[0], shapes[1]), "forward", ms)
        elif e.key == "aten::convolution_backward" and len(shapes) >= 3:
            put(conv_name(shapes[1], shapes[2]), "grads", ms)
        elif e.key in ("aten::native_batch_norm", "aten::native_batch_norm_backward") and shapes and len(shapes[0]) == 4:
            n, c, h, w = shapes[0]
            put(f"batch norm {n}x{h}x{w}x{c}", "batch norm", ms)
    return layers


def conv_ms(n, h, w, ci, co, k, stride, reps=5):
    """The least process CPU time of `reps` forward convolutions of that shape (padding (k - 1) / 2,
    no bias), in ms: with one thread, the convolution's own time even on a busy machine."""
    x = torch.randn(n, ci, h, w)
    weight = torch.randn(co, ci, k, k)
    with torch.no_grad():
        for _ in range(2):
            F.conv2d(x, weight, stride=stride, padding=(k - 1) // 2)
        best = float("inf")
        for _ in range(reps):
            t0 = time.process_time()
            F.conv2d(x, weight, stride=stride, padding=(k - 1) // 2)
            best = min(best, time.process_time() - t0)
    return best * 1000


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="resnet8")
    p.add_argument("--shape", default="32x32x3")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--convs", default="[]", help="JSON list of [n, h, w, ci, co, k, stride]: time each forward convolution alone")
    args = p.parse_args()
    h, w, c = parse_shape(args.shape)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args.model, h, w, c, args.classes)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=2e-4)
    x = torch.randn(args.batch, c, h, w)
    y = torch.randint(0, args.classes, (args.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(args.steps):
        step()
    wall = (time.perf_counter() - t0) / args.steps
    cpu = (time.process_time() - c0) / args.steps
    strides = conv_strides(model, x)
    with torch.autograd.profiler.profile(record_shapes=True) as prof:
        for _ in range(args.steps):
            step()
    groups = {"conv_forward": 0.0, "conv_grad": 0.0, "other": 0.0}
    for e in prof.key_averages():
        groups[group(e.key)] += e.self_cpu_time_total / 1000 / args.steps
    layers = layers_of(prof.key_averages(group_by_input_shape=True), strides, args.steps)
    convs = [conv_ms(*spec) for spec in json.loads(args.convs)]
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "step_ms": wall * 1000, "cpu_ms": cpu * 1000, "groups_ms": groups, "conv_ms": convs, "layers": layers}))


if __name__ == "__main__":
    main()
