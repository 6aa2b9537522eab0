#!/usr/bin/python3
"""One convolution layer step in PyTorch, for bench/conv-step.ts: the same three products as
ours -- the forward convolution, the weight gradient and the input gradient -- through
torch.nn.grad (the kernels autograd itself calls for conv2d), on NCHW tensors (PyTorch's own
layout) with no bias or activation, float32, torch.set_num_threads(2) by default.

Long-lived server (bench/torch_step_server.py: one JSON command per stdin line, one JSON answer per stdout line):
    {"cmd": "info"}
    {"cmd": "setup", "N": 128, "H": 32, "W": 32, "Ci": 3, "Co": 64, "K": 3, "S": 1, "P": 1, "seed": 1}
    {"cmd": "step", "reps": 3, "warmup": 1}   -> {"ms": [...]}
    {"cmd": "quit"}
"""
import torch
import torch.nn.functional as F

from torch_step_server import serve


class ConvStep:
    def __init__(self, N, H, W, Ci, Co, K, S, P, seed):
        g = torch.Generator().manual_seed(seed)
        self.S, self.P = S, P
        self.x = torch.randn(N, Ci, H, W, generator=g)
        self.w = torch.randn(Co, Ci, K, K, generator=g) / (K * K * Ci) ** 0.5
        Ho, Wo = (H + 2 * P - K) // S + 1, (W + 2 * P - K) // S + 1
        self.dy = torch.randn(N, Co, Ho, Wo, generator=g)

    def step(self):
        y = F.conv2d(self.x, self.w, stride=self.S, padding=self.P)
        dw = torch.nn.grad.conv2d_weight(self.x, self.w.shape, self.dy, stride=self.S, padding=self.P)
        dx = torch.nn.grad.conv2d_input(self.x.shape, self.w, self.dy, stride=self.S, padding=self.P)
        return float(y[0, 0, 0, 0] + dw[0, 0, 0, 0] + dx[0, 0, 0, 0])


if __name__ == "__main__":
    serve(lambda c: ConvStep(c["N"], c["H"], c["W"], c["Ci"], c["Co"], c["K"], c["S"], c["P"], c.get("seed", 1)))
