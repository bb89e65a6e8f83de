"""What a PyTorch user does with the workbench's exports, for test/integration/weights-travel.test.ts:
--weights F.safetensors: load it with docs/pytorch/models.py (load_state_dict strict=True), run the
test images of an IDX folder through it, print {"top1", "argmax"} as one JSON line;
--onnx F.onnx: onnx.checker.check_model (Debian's python3-onnx), print {"onnxChecked": true};
--resave OUT.safetensors (with --weights): save the loaded module again with models.py's export_run,
as a PyTorch user saves a model trained in her own code for `dive import-run`.
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "docs", "pytorch"))
sys.path.insert(0, HERE)
from idx_files import find, read_idx  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights")
    ap.add_argument("--idx")
    ap.add_argument("--onnx")
    ap.add_argument("--resave")
    a = ap.parse_args()
    if a.onnx:
        import onnx
        onnx.checker.check_model(onnx.load(a.onnx), full_check=True)
        print(json.dumps({"onnxChecked": True}))
        return
    import torch
    from models import export_run, load_run, preprocess
    torch.set_num_threads(1)
    model, info = load_run(a.weights, strict=True)
    x = read_idx(find(a.idx, "t10k-images-idx3-ubyte", "pytorch_eval"))
    y = read_idx(find(a.idx, "t10k-labels-idx1-ubyte", "pytorch_eval")).astype(np.int64)
    x = x.reshape(len(x), *info["imageShape"])
    preds = []
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            preds.append(model(preprocess(x[i:i + 1000], info)).argmax(1).numpy())
    pred = np.concatenate(preds)
    if a.resave:
        export_run(model, a.resave, model_name=info["model"], image_shape=info["imageShape"], class_names=info["classNames"],
                   mean=info["mean"], std=info["std"], norm_head=info.get("normHead") == "true")
    print(json.dumps({"top1": float((pred == y).mean()), "argmax": pred.tolist()}))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # one line, never a stack trace
        print(f"pytorch_eval: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
