"""PyTorch modules for the weights DiVE Workbench exports (`dive export RUN --format safetensors`)
and imports (`dive train --init-weights FILE`, `dive import-run FILE`).

The state_dict names and layouts are those of these modules; for resnet8/20/32 they are exactly
those of kaidic/LDAM-DRW's models/resnet_cifar.py (conv1, bn1, layer{1,2,3}.{i}.conv1|bn1|conv2|bn2,
linear; option-A shortcuts carry no weights; NormedLinear for LDAM-DRW's cosine classifier), so a
ResNet trained there loads here and the other way round (its `in_channels` is 3 in LDAM-DRW).

    from models import load_run
    model, info = load_run("student.safetensors")           # eval mode, weights loaded strictly
    x = preprocess(uint8_images_nhwc, info)                  # -> normalised NCHW float32
    probs = model(x).softmax(1)

Input: NCHW float32, pixel / 255 normalised per channel by the run's `mean` and `std` (in the
file's metadata). Conv weights are OIHW, linear weights [out, in], the flatten before the cnn's
and the mlp's first dense layer is PyTorch's NCHW order. Batch norm: momentum 0.1, eps 1e-5.

Only torch and numpy are needed; `safetensors` (pip) is used when installed, otherwise the small
reader and writer below handle the format (8-byte header length, JSON header, raw arrays).
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

if sys.byteorder != "little":
    raise ImportError("models.py reads and writes safetensors as a little-endian machine")

RESNET_BLOCKS = {"resnet8": 1, "resnet20": 3, "resnet32": 5}
HIDDEN_MLP = (256, 256)


class NormedLinear(nn.Module):
    """LDAM-DRW's cosine classifier: weight [in, out], logits = cos(feature, class weight)."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(in_features, out_features))
        self.weight.data.uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5)

    def forward(self, x):
        return F.normalize(x, dim=1).mm(F.normalize(self.weight, dim=0))


def head(in_features, classes, norm_head):
    return NormedLinear(in_features, classes) if norm_head else nn.Linear(in_features, classes)


class Mlp(nn.Module):
    """Flatten (NCHW order), two hidden layers of 256 with ReLU, a classifier."""

    def __init__(self, h, w, c, classes, norm_head=False):
        super().__init__()
        self.fc1 = nn.Linear(h * w * c, HIDDEN_MLP[0])
        self.fc2 = nn.Linear(HIDDEN_MLP[0], HIDDEN_MLP[1])
        self.linear = head(HIDDEN_MLP[1], classes, norm_head)

    def forward(self, x):
        return self.linear(F.relu(self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))))


class Cnn(nn.Module):
    """conv3x3 16 - BN - ReLU - maxpool 2, conv3x3 32 - BN - ReLU - maxpool 2, flatten, classifier."""

    def __init__(self, h, w, c, classes, norm_head=False):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.linear = head((h // 2 // 2) * (w // 2 // 2) * 32, classes, norm_head)

    def forward(self, x):
        y = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2, 2)
        y = F.max_pool2d(F.relu(self.bn2(self.conv2(y))), 2, 2)
        return self.linear(torch.flatten(y, 1))


class BasicBlock(nn.Module):
    """LDAM-DRW's BasicBlock with the option-A shortcut (subsample by 2, zero-pad planes/4 channels each side)."""

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = planes // 4 if stride != 1 or in_planes != planes else None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        short = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), "constant", 0)
        return F.relu(out + short)


class ResNet(nn.Module):
    """LDAM-DRW's ResNet_s: conv3x3 16, three stages of n blocks (16, 32, 64 planes), global average pooling, classifier."""

    def __init__(self, blocks, c, classes, norm_head=False):
        super().__init__()
        self.in_planes = 16
        self.conv1 = nn.Conv2d(c, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._make_layer(16, blocks, 1)
        self.layer2 = self._make_layer(32, blocks, 2)
        self.layer3 = self._make_layer(64, blocks, 2)
        self.linear = head(64, classes, norm_head)

    def _make_layer(self, planes, blocks, stride):
        layers = []
        for s in [stride] + [1] * (blocks - 1):
            layers.append(BasicBlock(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        # LDAM-DRW pools with avg_pool2d(out, out.size()[3]); the mean over H and W is the same on square maps
        out = out.mean(dim=(2, 3))
        return self.linear(out)


def build(model, image_shape, classes, norm_head=False):
    """A module of the workbench's `model` for [H, W, C] images; weights as PyTorch initialises them."""
    h, w, c = image_shape
    if model == "mlp":
        return Mlp(h, w, c, classes, norm_head)
    if model == "cnn":
        return Cnn(h, w, c, classes, norm_head)
    if model in RESNET_BLOCKS:
        return ResNet(RESNET_BLOCKS[model], c, classes, norm_head)
    raise ValueError(f"unknown model {model!r}: use mlp, cnn, resnet8, resnet20 or resnet32")


def init_like_workbench(module):
    """The workbench's initialisation (and LDAM-DRW's): Kaiming normal (fan_in, ReLU gain) for conv
    and linear weights; linear biases keep nn.Linear's uniform(+-1/sqrt(fan_in)); batch norm 1 / 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight)
    return module


# --- safetensors -------------------------------------------------------------------------------

_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
_NAMES = {v: k for k, v in _DTYPES.items()}


def load_safetensors(path):
    """(state_dict, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {}) or {}
    body = data[8 + n:]
    out = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        dtype = _DTYPES[t["dtype"]]
        raw = bytearray(body[begin:end])
        tensor = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = tensor.reshape(t["shape"]).clone()
    return out, meta


def save_safetensors(state_dict, path, metadata=None):
    """Writes tensors (and string metadata) as a safetensors file."""
    try:
        from safetensors.torch import save_file
        return save_file({k: v.contiguous() for k, v in state_dict.items()}, path, metadata=metadata)
    except ImportError:
        pass
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in state_dict.items():
        t = t.detach().cpu().contiguous()
        # little-endian machines only (as the workbench): numpy's bytes are the file's
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def load_run(path, strict=True):
    """The module of an exported run with its weights, in eval mode, and the file's metadata
    (model, imageShape, numClasses, classNames, mean, std, normHead, run; JSON values parsed)."""
    state, meta = load_safetensors(path)
    info = {k: (json.loads(v) if k in ("imageShape", "classNames", "mean", "std", "run") else v) for k, v in meta.items()}
    model = build(info["model"], info["imageShape"], int(info["numClasses"]), info.get("normHead") == "true")
    model.load_state_dict(state, strict=strict)
    return model.eval(), info


def preprocess(images_nhwc_uint8, info):
    """uint8 [N, H, W, C] images -> the normalised NCHW float32 batch the model takes."""
    x = torch.as_tensor(np.asarray(images_nhwc_uint8), dtype=torch.float64) / 255
    mean = torch.tensor(info["mean"], dtype=torch.float64)
    std = torch.tensor(info["std"], dtype=torch.float64)
    return ((x - mean) / std).permute(0, 3, 1, 2).float().contiguous()


def export_run(model, path, *, model_name, image_shape, class_names, mean, std, norm_head=False, run=None):
    """Saves a module trained in PyTorch so that `dive import-run` (and `--init-weights`) take it as is."""
    meta = {"format": "pt", "model": model_name, "imageShape": json.dumps(list(image_shape)), "numClasses": str(len(class_names)),
            "normHead": "true" if norm_head else "false", "classNames": json.dumps(list(class_names)),
            "mean": json.dumps([float(m) for m in mean]), "std": json.dumps([float(s) for s in std]), "run": json.dumps(run or {"trainedWith": "PyTorch " + torch.__version__})}
    save_safetensors(model.state_dict(), path, meta)
