#!/usr/bin/python3
"""One Forward-Forward step of a locally-connected layer in PyTorch, for bench/lc-step.ts.

The reference a user would write: the source maps unfolded into patches (F.unfold, zero
padding K//2, so taps outside the map are multiplied like ours are), one batched matmul over
the 1,024 locations for the forward product and one for the weight gradient, and the rest of
FF's layer rule as tensor expressions on the same shapes as ours -- ReLU, goodness = sum of
squares, p = sigmoid(G - theta), coefficients -(1 - p) on positive and p on negative rows,
the smoothed update (smoothing 0.9, lr 0.01, weight cost 0.001) -- with the goodness read
back on the host (.item()) as our step reads it. torch.set_num_threads(2).

Long-lived server (bench/torch_step_server.py: one JSON command per stdin line, one JSON answer per stdout line):
    {"cmd": "info"}
    {"cmd": "setup", "B": 100, "H": 32, "W": 32, "Ci": 3, "Co": 3, "K": 11, "seed": 1}
    {"cmd": "step", "reps": 5, "warmup": 1}   -> {"ms": [...]}
    {"cmd": "quit"}
"""
import torch
import torch.nn.functional as F

from torch_step_server import serve

LR = 0.01
WEIGHT_COST = 0.001
SMOOTHING = 0.9


class LcLayer:
    def __init__(self, B, H, W, Ci, Co, K, seed):
        g = torch.Generator().manual_seed(seed)
        self.B, self.H, self.W, self.Ci, self.Co, self.K = B, H, W, Ci, Co, K
        L, P = H * W, Ci * K * K
        self.x = torch.randn(2 * B, Ci, H, W, generator=g)
        self.w = torch.randn(L, P, Co, generator=g) / P ** 0.5
        self.b = torch.zeros(L, 1, Co)
        self.sw = torch.zeros_like(self.w)
        self.sb = torch.zeros_like(self.b)
        self.theta = float(L * Co)

    def step(self):
        B, K = self.B, self.K
        cols = F.unfold(self.x, K, padding=K // 2)  # (2B, P, L)
        cols_t = cols.permute(2, 0, 1).contiguous()  # (L, 2B, P)
        y = torch.relu(torch.baddbmm(self.b, cols_t, self.w))  # (L, 2B, Co)
        good = (y * y).sum(dim=(0, 2))  # (2B,)
        p = torch.sigmoid(good - self.theta)
        coef = torch.cat((-(1 - p[:B]), p[B:]))
        dz = y * coef.view(1, -1, 1)
        dw = torch.bmm(cols_t.transpose(1, 2), dz)  # (L, P, Co)
        db = dz.sum(dim=1, keepdim=True)
        self.sw.mul_(SMOOTHING).add_(dw + WEIGHT_COST * B * self.w, alpha=(1 - SMOOTHING) / B)
        self.sb.mul_(SMOOTHING).add_(db, alpha=(1 - SMOOTHING) / B)
        self.w.add_(self.sw, alpha=-LR)
        self.b.add_(self.sb, alpha=-LR)
        return float(good.sum().item())


if __name__ == "__main__":
    serve(lambda c: LcLayer(c["B"], c["H"], c["W"], c["Ci"], c["Co"], c["K"], c.get("seed", 1)))
