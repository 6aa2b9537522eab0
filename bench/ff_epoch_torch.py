#!/usr/bin/python3
"""The `hinton` preset's FF recipe in PyTorch, for `npm run bench -- --epoch` (bench/ff-epoch-compare.ts).

A faithful, tuned port of one minibatch of src/ff/ff-step.ts (Hinton's ffnew.m): explicit
gradients (no autograd), float32, preallocated buffers of 3B rows laid out as ours -- [0,B)
neutral label, [B,2B) correct label, [2B,3B) wrong label -- so the neutral and positive rows
share one forward product per layer and the positive and negative rows one weight-gradient
product, with the gradient smoothing fused into it (state.addmm_(beta=s, alpha=(1-s)/B)) and
in-place updates. The driver sets OMP_WAIT_POLICY=PASSIVE and our engine's BLAS thread count.

  1. neutral + positive pass: n0 = rms-normalized input; per layer y = relu(n W + b),
     G = sum(y^2), n' = y / (eps + sqrt(G/N));
  2. the online softmax on the neutral rows' normalized states of the head layers: the
     probabilities, hard negative labels drawn from them with the true class masked out (or
     the labels our side drew, for the step-for-step check), a smoothed update of the heads;
  3. the negative pass;
  4. per layer: p = sigmoid(G - theta); dZ = coef * y, coef = -(1 - p) on positive rows and p
     on negative rows; the peer-normalization push on the positive rows; smoothed updates of W
     (with weight cost) and b (without), learning rates times the schedule gain ours used.

Server: one JSON command per stdin line, one JSON reply line.
  {"cmd": "info"}
  {"cmd": "init", "cfg": {...}, "file": path, "manifest": [[name, rows, cols], ...]}
      tensors by our checkpoint names (layerK.weight, layerK.weight.opt0, layerK.peer_mean, ...)
  {"cmd": "train", "file": path, "labels": [...], "gains": [...], "negatives": [...] or null}
      len(gains) minibatches of B raw float32 images -> {"ms": [one per minibatch]}
  {"cmd": "dump", "file": path}   every tensor of the manifest, in its order, raw float32
  {"cmd": "quit"}
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


class FFNet:
    def __init__(self, cfg, tensors):
        self.c = cfg
        self.t = tensors
        self.sizes = cfg["sizes"]  # [D, h1, ..., hL]
        self.L = len(self.sizes) - 1
        B, R = cfg["batch"], 3 * cfg["batch"]
        self.x = torch.empty(R, self.sizes[0])
        self.n = [torch.empty(R, s) for s in self.sizes]  # n[0]: the normalized input
        self.y = [torch.empty(R, s) for s in self.sizes[1:]]
        self.g = [torch.empty(R) for _ in self.sizes[1:]]
        self.dz = [torch.empty(2 * B, s) for s in self.sizes[1:]]
        self.coef = torch.empty(2 * B, 1)
        self.logits = torch.empty(B, cfg["classes"])
        # Epoch statistics, as ours keeps them (summed on the tensors: no host sync per step).
        self.ff_loss = torch.zeros(self.L)
        self.pair_errors = torch.zeros(self.L)
        self.softmax_loss = torch.zeros(())
        self.softmax_errors = torch.zeros(())
        torch.manual_seed(cfg["seed"])

    def normalize(self, x, out, sumsq=None):
        g = torch.sum(x * x, dim=1) if sumsq is None else sumsq
        torch.div(x, (g / x.shape[1]).sqrt_().add_(self.c["norm_eps"]).unsqueeze(1), out=out)

    def forward(self, r0, r1):
        self.normalize(self.x[r0:r1], self.n[0][r0:r1])
        for l in range(self.L):
            y, g = self.y[l][r0:r1], self.g[l][r0:r1]
            torch.addmm(self.t[f"layer{l + 1}.bias"], self.n[l][r0:r1], self.t[f"layer{l + 1}.weight"], out=y)
            y.clamp_(min=0)
            torch.sum(y * y, dim=1, out=g)  # the goodness, and the normalizer's sum
            self.normalize(y, self.n[l + 1][r0:r1], g)

    def set_labels(self, r0, labels):
        """Label pixels of rows [r0, r0+B): the label's unit at strength, the others 0."""
        c, o = self.c, self.c["label_offset"]
        px = self.x[r0:r0 + len(labels), o:o + c["classes"]]
        px.zero_().scatter_(1, labels.unsqueeze(1), c["label_strength"])

    def softmax_step(self, labels, gain, negatives):
        c, B = self.c, self.c["batch"]
        heads = c["softmax_layers"]
        for i, l in enumerate(heads):
            S = self.t[f"softmax{l + 1}.weight"]
            if i == 0:
                torch.mm(self.n[l + 1][:B], S, out=self.logits)
            else:
                self.logits.addmm_(self.n[l + 1][:B], S)
        p = torch.softmax(self.logits, dim=1)
        truth = p.gather(1, labels.unsqueeze(1))
        self.softmax_loss -= (truth + 1e-30).log().sum()
        self.softmax_errors += (p.argmax(1) != labels).sum()
        if negatives is None:  # hard negatives: a wrong label drawn from the probabilities
            w = p.scatter(1, labels.unsqueeze(1), 0.0)
            empty = w.sum(1) <= 0  # a softmax certain of the truth: uniform over the wrong labels
            if bool(empty.any()):
                w[empty] = 1.0
                w.scatter_(1, labels.unsqueeze(1), 0.0)
            negatives = torch.multinomial(w, 1).squeeze(1)
        dl = p.scatter_add_(1, labels.unsqueeze(1), -torch.ones_like(truth))  # p - onehot
        s, lr, wc = c["smoothing"], c["softmax_lr"] * gain, c["softmax_weight_cost"]
        for l in heads:
            S, sS = self.t[f"softmax{l + 1}.weight"], self.t[f"softmax{l + 1}.weight.opt0"]
            sS.addmm_(self.n[l + 1][:B].t(), dl, beta=s, alpha=(1 - s) / B)
            S.mul_(1 - lr * wc).sub_(sS, alpha=lr)
        return negatives

    def learn(self, gain):
        c, B = self.c, self.c["batch"]
        s, lr, wc = c["smoothing"], c["lr"] * gain, c["weight_cost"]
        for l in range(self.L):
            y, name = self.y[l][B:], f"layer{l + 1}"  # positive rows, then negative rows
            xs = self.g[l][B:] - c["thresholds"][l]
            p = torch.sigmoid(xs)
            torch.sub(p[:B], 1, out=self.coef[:B, 0])  # -(1 - p+)
            self.coef[B:, 0].copy_(p[B:])  # p-
            dz = self.dz[l]
            torch.mul(y, self.coef, out=dz)
            self.ff_loss[l] += F.softplus(-xs[:B]).sum() + F.softplus(xs[B:]).sum()
            self.pair_errors[l] += (xs[B:] > xs[:B]).sum()
            # Peer normalization: each unit's running mean on positive data pulled to the layer's mean.
            pm = self.t[f"{name}.peer_mean"][0]
            pm.mul_(c["peer_decay"]).add_(y[:B].sum(0), alpha=(1 - c["peer_decay"]) / B)
            dz[:B].add_(pm - pm.mean(), alpha=c["peer_lambda"])
            sW, sb = self.t[f"{name}.weight.opt0"], self.t[f"{name}.bias.opt0"]
            sW.addmm_(self.n[l][B:].t(), dz, beta=s, alpha=(1 - s) / B)
            sb.mul_(s).add_(dz.sum(0, keepdim=True), alpha=(1 - s) / B)
            self.t[f"{name}.weight"].mul_(1 - lr * wc).sub_(sW, alpha=lr)
            self.t[f"{name}.bias"].sub_(sb, alpha=lr)

    def step(self, images, labels, gain, negatives=None):
        B, c = self.c["batch"], self.c
        for k in range(3):
            self.x[k * B:(k + 1) * B].copy_(images)
        o = c["label_offset"]
        self.x[:B, o:o + c["classes"]].fill_(c["label_strength"] / c["classes"])  # neutral
        self.set_labels(B, labels)
        self.forward(0, 2 * B)
        negatives = self.softmax_step(labels, gain, negatives)
        self.set_labels(2 * B, negatives)
        self.forward(2 * B, 3 * B)
        self.learn(gain)


def serve():
    net, manifest = None, []

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            c = json.loads(line)
            cmd = c["cmd"]
            if cmd == "info":
                cfg = torch.__config__.show()
                reply({"torch": torch.__version__, "python": sys.version.split()[0], "threads": torch.get_num_threads(),
                       "blas": cfg.split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in cfg else "?"})
            elif cmd == "init":
                torch.set_num_threads(c["cfg"]["threads"])
                manifest = c["manifest"]
                flat = torch.from_numpy(np.fromfile(c["file"], dtype=np.float32))
                tensors, at = {}, 0
                for name, rows, cols in manifest:
                    tensors[name] = flat[at:at + rows * cols].reshape(rows, cols).clone()
                    at += rows * cols
                net = FFNet(c["cfg"], tensors)
                reply({"ok": True})
            elif cmd == "train":
                B, D, K = net.c["batch"], net.sizes[0], len(c["gains"])
                images = torch.from_numpy(np.fromfile(c["file"], dtype=np.float32)).reshape(K, B, D)
                labels = torch.tensor(c["labels"], dtype=torch.int64).reshape(K, B)
                neg = None if c["negatives"] is None else torch.tensor(c["negatives"], dtype=torch.int64).reshape(K, B)
                ms = []
                with torch.no_grad():
                    for k in range(K):
                        t0 = time.perf_counter()
                        net.step(images[k], labels[k], c["gains"][k], None if neg is None else neg[k])
                        ms.append((time.perf_counter() - t0) * 1e3)
                reply({"ms": ms})
            elif cmd == "dump":
                np.concatenate([net.t[name].reshape(-1).numpy() for name, _, _ in manifest]).tofile(c["file"])
                reply({"ok": True})
            elif cmd == "quit":
                reply({"ok": True})
                return
            else:
                reply({"error": f"unknown command {cmd}"})
        except Exception as err:  # report, keep serving
            reply({"error": f"{type(err).__name__}: {err}"})


if __name__ == "__main__":
    serve()
