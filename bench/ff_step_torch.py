#!/usr/bin/python3
"""One Forward-Forward layer training step in PyTorch, for bench/ff-step.ts.

Two versions of the SAME step as src/ff/ff-step.ts does per layer (hyper-parameters: the
"hinton" defaults of src/ff/config.ts -- goodness = sum of squares, theta = layer width,
T = 1, smoothing 0.9, lr 0.01, weight cost 0.001 on W only, peer normalization lambda 0.03,
decay 0.9, RMS row normalization):

  plain  -- what a straightforward implementation looks like: positive and negative cases in
            separate matmuls, out-of-place tensor expressions, PyTorch's default threading.
  tuned  -- positive and negative rows stacked into one matmul for the forward pass and one
            for the weight gradient, preallocated outputs (out=), in-place updates, the
            squared row sums computed once and reused for the RMS normalization,
            the smoothing fused into the weight-gradient product (sW.addmm_ with beta, alpha),
            torch.set_num_threads(2), and OMP_WAIT_POLICY=PASSIVE (the driver sets it in this
            process's environment before PyTorch loads; it cannot be changed afterwards).

Both compute, per step: y = relu(x W + b) for pos and neg rows; G = row sum of y^2;
p = sigmoid(G - theta); the FF gradient dZ = coef * y with coef = -(1 - p+) for positive rows
and p- for negative rows; the peer-normalization vector added to the positive rows; dW = x^T dZ
over pos+neg rows and db = column sums of dZ; the smoothed update of W and b; the row-normalized
output n = y / (eps + rms(y)); and the FF loss and pair-error count back on the host (.item()),
the counterpart of the TypeScript step's engine.read of the goodness.

Run as a long-lived server (the benchmark's mode):
    /usr/bin/python3 bench/ff_step_torch.py --serve plain|tuned
reading one JSON command per line on stdin and answering one JSON line on stdout:
    {"cmd": "info"}
    {"cmd": "setup", "B": 100, "K": 784, "N": 2000, "seed": 1}   random inputs, like ours
    {"cmd": "load", "B":.., "K":.., "N":.., "x": path, "w": path, "b": path}  raw float32 files
    {"cmd": "step", "reps": 4, "warmup": 1}   -> {"ms": [...]} (time.perf_counter per step)
    {"cmd": "check"}                          -> checksums after ONE step from the loaded state
    {"cmd": "gemm", "m":.., "n":.., "k":.., "transA": false, "reps": 10} -> {"ms": [...]}
    {"cmd": "quit"}
Or on its own: `/usr/bin/python3 bench/ff_step_torch.py --selftest` checks plain == tuned.
"""
import json
import math
import os
import sys
import time

import torch

LR = 0.01
WEIGHT_COST = 0.001
SMOOTHING = 0.9
PEER_LAMBDA = 0.03
PEER_DECAY = 0.9
PEER_INIT = 0.5
NORM_EPS = math.exp(-50)


class Layer:
    """Parameters, optimizer state and inputs of one layer; x holds pos rows then neg rows."""

    def __init__(self, B, K, N, x, W, b):
        self.B, self.K, self.N = B, K, N
        self.theta = float(N)
        self.x = x.contiguous()
        self.W = W.contiguous()
        self.b = b.contiguous()
        self.sW = torch.zeros_like(self.W)
        self.sb = torch.zeros_like(self.b)
        self.peer = torch.full((N,), PEER_INIT, dtype=torch.float32)
        # The plain step works on the two halves as separate tensors.
        self.x_pos = self.x[:B].clone()
        self.x_neg = self.x[B:].clone()
        self.out = None  # last normalized output (for checks)
        self.loss = 0.0
        self.pair_errors = 0


def random_layer(B, K, N, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2 * B, K, generator=g)
    x = x / (NORM_EPS + x.pow(2).mean(1, keepdim=True).sqrt())  # an RMS-normalized input, like n[l]
    W = torch.randn(K, N, generator=g) / math.sqrt(K)
    b = torch.zeros(1, N)
    return Layer(B, K, N, x, W, b)


# ---- the plain step ------------------------------------------------------------------------

@torch.no_grad()
def plain_step(L):
    B = L.B
    y_pos = torch.relu(L.x_pos @ L.W + L.b)
    y_neg = torch.relu(L.x_neg @ L.W + L.b)
    g_pos = (y_pos ** 2).sum(dim=1)
    g_neg = (y_neg ** 2).sum(dim=1)
    x_p = g_pos - L.theta
    x_n = g_neg - L.theta
    p_pos = torch.sigmoid(x_p)
    p_neg = torch.sigmoid(x_n)
    dz_pos = -(1 - p_pos)[:, None] * y_pos
    dz_neg = p_neg[:, None] * y_neg
    # Peer normalization on the positive rows.
    L.peer = PEER_DECAY * L.peer + (1 - PEER_DECAY) * y_pos.mean(dim=0)
    dz_pos = dz_pos + (-PEER_LAMBDA) * (L.peer.mean() - L.peer)
    dW = L.x_pos.t() @ dz_pos + L.x_neg.t() @ dz_neg
    db = dz_pos.sum(dim=0, keepdim=True) + dz_neg.sum(dim=0, keepdim=True)
    # Smoothed update: s = 0.9 s + 0.1 g/B; w -= lr (s + wc w).
    L.sW = SMOOTHING * L.sW + (1 - SMOOTHING) * (dW / B)
    L.W -= LR * (L.sW + WEIGHT_COST * L.W)
    L.sb = SMOOTHING * L.sb + (1 - SMOOTHING) * (db / B)
    L.b -= LR * L.sb
    n_pos = y_pos / (NORM_EPS + y_pos.pow(2).mean(dim=1, keepdim=True).sqrt())
    n_neg = y_neg / (NORM_EPS + y_neg.pow(2).mean(dim=1, keepdim=True).sqrt())
    L.out = (n_pos, n_neg)
    L.goodness = (g_pos, g_neg)
    # Host reads: the loss and the pair errors, as the TypeScript step's statistics.
    L.loss = (torch.nn.functional.softplus(-x_p).sum() + torch.nn.functional.softplus(x_n).sum()).item()
    L.pair_errors = int((x_n > x_p).sum().item())


# ---- the tuned step ------------------------------------------------------------------------

class Tuned:
    """Preallocated buffers for the stacked (2B-row) step."""

    def __init__(self, L):
        B, K, N = L.B, L.K, L.N
        R = 2 * B
        self.y = torch.empty(R, N)
        self.n = torch.empty(R, N)
        self.g = torch.empty(R)
        self.den = torch.empty(R, 1)
        self.coef = torch.empty(R, 1)
        self.dz = torch.empty(R, N)
        self.dW = torch.empty(K, N)
        self.db = torch.empty(1, N)
        self.posmean = torch.empty(N)
        self.push = torch.empty(N)
        self.xT = L.x.t()  # a view; mm handles the transpose without a copy


@torch.no_grad()
def tuned_step(L, T):
    B, N = L.B, L.N
    y = T.y
    torch.addmm(L.b, L.x, L.W, out=y)
    y.clamp_(min=0)
    torch.sum(y * y, dim=1, out=T.g)  # one (2B x N) temporary; cheaper than pow + sum
    g = T.g
    xs = g - L.theta
    p = torch.sigmoid(xs)
    coef = T.coef[:, 0]
    torch.sub(p[:B], 1, out=coef[:B])          # -(1 - p+)
    coef[B:].copy_(p[B:])                      # p-
    torch.mul(y, T.coef, out=T.dz)
    torch.mean(y[:B], dim=0, out=T.posmean)
    L.peer.mul_(PEER_DECAY).add_(T.posmean, alpha=1 - PEER_DECAY)
    torch.sub(L.peer, L.peer.mean(), out=T.push).mul_(PEER_LAMBDA)  # -lambda (avg - peer)
    T.dz[:B].add_(T.push)
    torch.sum(T.dz, dim=0, keepdim=True, out=T.db)
    # The smoothing fused into the weight-gradient product, as ours does (issue 9).
    L.sW.addmm_(T.xT, T.dz, beta=SMOOTHING, alpha=(1 - SMOOTHING) / B)
    L.W.mul_(1 - LR * WEIGHT_COST).sub_(L.sW, alpha=LR)
    L.sb.mul_(SMOOTHING).add_(T.db, alpha=(1 - SMOOTHING) / B)
    L.b.sub_(L.sb, alpha=LR)
    torch.div(g, N, out=T.den[:, 0]).sqrt_().add_(NORM_EPS)
    torch.div(y, T.den, out=T.n)
    L.out = (T.n[:B], T.n[B:])
    L.goodness = (g[:B], g[B:])
    sp = torch.nn.functional.softplus
    L.loss = (sp(-xs[:B]).sum() + sp(xs[B:]).sum()).item()
    L.pair_errors = int((xs[B:] > xs[:B]).sum().item())


# ---- server --------------------------------------------------------------------------------

def checksums(L, W0, b0):
    n_pos, n_neg = L.out
    g_pos, g_neg = L.goodness
    return {
        "dW_abs": float((L.W - W0).abs().double().sum()),
        "db_abs": float((L.b - b0).abs().double().sum()),
        "n_abs": float(n_pos.abs().double().sum() + n_neg.abs().double().sum()),
        "g_sum": float(g_pos.double().sum() + g_neg.double().sum()),
        "peer_sum": float(L.peer.double().sum()),
        "loss": L.loss,
        "pair_errors": L.pair_errors,
    }


def serve(variant):
    if variant == "tuned":
        torch.set_num_threads(2)
    L = None
    T = None

    def step():
        if variant == "plain":
            plain_step(L)
        else:
            tuned_step(L, T)

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            c = json.loads(line)
            cmd = c["cmd"]
            if cmd == "info":
                reply({
                    "variant": variant,
                    "torch": torch.__version__,
                    "python": sys.version.split()[0],
                    "threads": torch.get_num_threads(),
                    "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
                    "blas": torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0]
                    if "BLAS_INFO=" in torch.__config__.show() else "?",
                })
            elif cmd in ("setup", "load"):
                B, K, N = c["B"], c["K"], c["N"]
                if cmd == "setup":
                    L = random_layer(B, K, N, c.get("seed", 1))
                else:
                    import numpy as np
                    rd = lambda p, r, k: torch.from_numpy(np.fromfile(p, dtype=np.float32).reshape(r, k).copy())
                    L = Layer(B, K, N, rd(c["x"], 2 * B, K), rd(c["w"], K, N), rd(c["b"], 1, N))
                T = Tuned(L) if variant == "tuned" else None
                reply({"ok": True})
            elif cmd == "step":
                for _ in range(c.get("warmup", 0)):
                    step()
                ms = []
                for _ in range(c["reps"]):
                    t0 = time.perf_counter()
                    step()
                    ms.append((time.perf_counter() - t0) * 1e3)
                reply({"ms": ms})
            elif cmd == "check":
                W0 = L.W.clone()
                b0 = L.b.clone()
                step()
                reply(checksums(L, W0, b0))
            elif cmd == "gemm":
                m, n, k, ta = c["m"], c["n"], c["k"], c.get("transA", False)
                g = torch.Generator().manual_seed(2)
                a = torch.randn(k, m, generator=g) if ta else torch.randn(m, k, generator=g)
                b = torch.randn(k, n, generator=g)
                out = torch.empty(m, n)
                at = a.t() if ta else a
                torch.mm(at, b, out=out)
                ms = []
                for _ in range(c["reps"]):
                    t0 = time.perf_counter()
                    torch.mm(at, b, out=out)
                    ms.append((time.perf_counter() - t0) * 1e3)
                reply({"ms": ms})
            elif cmd == "quit":
                reply({"ok": True})
                return
            else:
                reply({"error": f"unknown command {cmd}"})
        except Exception as err:  # report, keep serving
            reply({"error": f"{type(err).__name__}: {err}"})


def selftest():
    for (B, K, N) in [(7, 13, 11), (100, 784, 2000)]:
        a = random_layer(B, K, N, 3)
        b = random_layer(B, K, N, 3)
        T = Tuned(b)
        for _ in range(3):
            plain_step(a)
            tuned_step(b, T)
        for name, u, v in [("W", a.W, b.W), ("b", a.b, b.b), ("peer", a.peer, b.peer),
                           ("n+", a.out[0], b.out[0]), ("n-", a.out[1], b.out[1])]:
            err = float((u - v).abs().max())
            scale = float(u.abs().max()) or 1.0
            assert err <= 1e-4 * scale, f"{B}x{K}x{N} {name}: max diff {err} (scale {scale})"
        assert abs(a.loss - b.loss) <= 1e-4 * max(1.0, abs(a.loss)), (a.loss, b.loss)
        assert a.pair_errors == b.pair_errors
    print("plain and tuned steps agree")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--serve" and sys.argv[2] in ("plain", "tuned"):
        serve(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "--selftest":
        selftest()
    else:
        sys.exit(__doc__)
