#!/usr/bin/env python3
"""PyTorch reference for `pnpm bench style --reference`: the same work as the tfjs benchmark.

The style-adjustable network (Johnson et al. with conditional instance norm: 9x9 conv, two stride-2
convs, residual blocks, two nearest x2 upsamplings each followed by a 3x3 conv, 9x9 conv to RGB and
a sigmoid; every conv followed by an instance norm whose per-channel scale and shift a shared-hidden
MLP predicts from the five loss weights) and its loss: MobileNet v1 up to conv_pw_11 (batch norm
folded into the convs, ReLU6; random weights: timing does not depend on their values), content =
feature MSE at conv_pw_5, four style terms = distance of Gram matrices of softmax-transformed
features (Wang et al. 2021) at conv_pw_1/3/5/11, each weighted per example; Adam.

Run with Debian's interpreter (apt-get install -y python3-torch), not a pyenv shim:
    /usr/bin/python3 torch_style.py --threads 1 [--batch 4] [--size 64] [--infer-size 512] [--steps 10] [--warmup 2]
Prints one JSON line: medians in ms of a training step (wall and CPU) and of one inference, images per second.
"""
import argparse, json, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F

TERMS = 5  # content, style1..style4


class CIN(nn.Module):
    """Instance norm whose scale (1 + head) and shift are given per example and channel."""

    def forward(self, x, scale, shift):
        mean = x.mean((2, 3), keepdim=True)
        var = x.var((2, 3), keepdim=True, unbiased=False)
        return (x - mean) * torch.rsqrt(var + 1e-5) * scale[:, :, None, None] + shift[:, :, None, None]


class StyleNet(nn.Module):
    def __init__(self, widths=(16, 32, 64), blocks=3, hidden=64):
        super().__init__()
        w0, w1, w2 = widths
        spec = [("down0", 3, w0, 9, 1), ("down1", w0, w1, 3, 2), ("down2", w1, w2, 3, 2)]
        for i in range(blocks):
            spec += [(f"res{i}a", w2, w2, 3, 1), (f"res{i}b", w2, w2, 3, 1)]
        spec += [("up0", w2, w1, 3, 1), ("up1", w1, w0, 3, 1), ("out", w0, 3, 9, 1)]
        self.names = [s[0] for s in spec]
        self.blocks = blocks
        # 'same' padding as tfjs: stride-2 convs pad asymmetrically there; symmetric k//2 here gives the same shapes.
        self.convs = nn.ModuleDict({n: nn.Conv2d(ci, co, k, s, k // 2, bias=False) for n, ci, co, k, s in spec})
        self.hidden = nn.Linear(TERMS, hidden)
        self.scale = nn.ModuleDict({n: nn.Linear(hidden, co) for n, _, co, _, _ in spec})
        self.shift = nn.ModuleDict({n: nn.Linear(hidden, co) for n, _, co, _, _ in spec})
        for m in list(self.scale.values()) + list(self.shift.values()):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)
        self.cin = CIN()

    def forward(self, x, cond):
        h_c = F.leaky_relu(self.hidden(cond), 0.01)
        norm = lambda h, n: self.cin(h, 1 + self.scale[n](h_c), self.shift[n](h_c))
        block = lambda h, n: F.relu(norm(self.convs[n](h), n))
        h = x - 0.5
        for n in ("down0", "down1", "down2"):
            h = block(h, n)
        for i in range(self.blocks):
            h = h + norm(self.convs[f"res{i}b"](block(h, f"res{i}a")), f"res{i}b")
        h = block(F.interpolate(h, scale_factor=2, mode="nearest"), "up0")
        h = block(F.interpolate(h, scale_factor=2, mode="nearest"), "up1")
        return torch.sigmoid(norm(self.convs["out"](h), "out"))


class MobileNetV1(nn.Module):
    """MobileNet v1 (alpha 1) up to conv_pw_11, batch norm folded into biased convs, ReLU6."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, 2, 1)
        cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1)]
        layers, cin = [], 32
        for cout, s in cfg:
            layers.append(nn.ModuleList([nn.Conv2d(cin, cin, 3, s, 1, groups=cin), nn.Conv2d(cin, cout, 1)]))
            cin = cout
        self.blocks = nn.ModuleList(layers)
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x, upto):
        """Activations of conv_pw_k for k in `upto` (1-based), computed only as deep as the deepest."""
        h = F.relu6(self.conv1(x * 2 - 1))
        out = {}
        for k, (dw, pw) in enumerate(self.blocks, start=1):
            if k > max(upto):
                break
            h = F.relu6(pw(F.relu6(dw(h))))
            if k in upto:
                out[k] = h
        return out


def softmax_features(f):
    b, c, h, w = f.shape
    return F.softmax(f.flatten(2), dim=2).view(b, c, h, w) * (h * w)


def gram(f):
    b, c, h, w = f.shape
    m = f.flatten(2)
    return m @ m.transpose(1, 2) / (h * w)


STYLE_LAYERS, CONTENT_LAYER = (1, 3, 5, 11), 5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--infer-size", type=int, default=512)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net, loss_net = StyleNet(), MobileNetV1().eval()
    with torch.no_grad():
        painting = torch.rand(1, 3, 2 * a.size, 2 * a.size)
        targets = {k: gram(softmax_features(f)) for k, f in loss_net(painting, STYLE_LAYERS).items()}
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(a.batch, 3, a.size, a.size)
    train, train_cpu = [], []
    for i in range(a.warmup + a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        lam = torch.rand(a.batch, TERMS)
        y = net(x, lam)
        fy = loss_net(y, STYLE_LAYERS)
        with torch.no_grad():
            fx = loss_net(x, (CONTENT_LAYER,))[CONTENT_LAYER]
        terms = [((fy[CONTENT_LAYER] - fx) ** 2).mean((1, 2, 3))]
        terms += [((gram(softmax_features(fy[k])) - targets[k]) ** 2).mean((1, 2)) for k in STYLE_LAYERS]
        loss = (torch.stack(terms, 1) * lam).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        if i >= a.warmup:
            train.append((time.perf_counter() - t0) * 1000)
            train_cpu.append((time.process_time() - c0) * 1000)
    infer = []
    img, cond = torch.rand(1, 3, a.infer_size, a.infer_size), torch.tensor([[0.55, 0.5, 0.5, 0.5, 0.5]])
    with torch.no_grad():
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            net(img, cond).sum().item()
            if i >= a.warmup:
                infer.append((time.perf_counter() - t0) * 1000)
    tm, im = statistics.median(train), statistics.median(infer)
    print(json.dumps({
        "model": "style", "torch": torch.__version__, "threads": a.threads, "batch": a.batch, "size": a.size,
        "ms_per_step": round(tm, 2), "cpu_ms_per_step": round(statistics.median(train_cpu), 2), "images_per_s": round(a.batch * 1000 / tm, 2),
        "infer_size": a.infer_size, "ms_per_image": round(im, 2), "infer_images_per_s": round(1000 / im, 3),
    }))


if __name__ == "__main__":
    main()
