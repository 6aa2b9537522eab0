"""The stdin/stdout loop the PyTorch layer-step benchmarks share (bench/conv_step_torch.py,
bench/lc_step_torch.py): one JSON command per stdin line, one JSON answer per stdout line.
    {"cmd": "info"}                          -> {"torch": ..., "threads": ..., "python": ...}
    {"cmd": "setup", ...the layer's shape}   -> {"ok": true}
    {"cmd": "step", "reps": 5, "warmup": 1}  -> {"ms": [...]}
    {"cmd": "quit"}
"""
import json
import os
import sys
import time

import torch


def serve(make_layer):
    """make_layer(cmd) builds the layer a "setup" command describes; it has a step() method."""
    torch.set_num_threads(int(os.environ.get("FF_TORCH_THREADS", "2")))
    layer = None
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["cmd"] == "info":
                out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                       "python": sys.version.split()[0]}
            elif cmd["cmd"] == "setup":
                layer = make_layer(cmd)
                out = {"ok": True}
            elif cmd["cmd"] == "step":
                for _ in range(cmd.get("warmup", 1)):
                    layer.step()
                ms = []
                for _ in range(cmd["reps"]):
                    t0 = time.perf_counter()
                    layer.step()
                    ms.append((time.perf_counter() - t0) * 1e3)
                out = {"ms": ms}
            elif cmd["cmd"] == "quit":
                print(json.dumps({"ok": True}), flush=True)
                return
            else:
                out = {"error": f"unknown command {cmd['cmd']}"}
        except Exception as e:  # reported to the driver as one line
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)
