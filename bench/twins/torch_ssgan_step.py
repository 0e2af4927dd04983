#!/usr/bin/env python3
"""Reference timing: one training step of gin-configs/fashion_mnist/ssgan.gin (--mode ssgan) or
s3gan_10pct.gin (--mode s3gan) in PyTorch on CPU, computing what this port (and compare_gan) does.

resnet_cifar_arch as ../shared/bench/torch_resnet_cifar_step.py (32x32x1, ch 64, batch 64, z 64,
spectral norm in D, hinge loss, Adam(2e-4, 0.0, 0.999), disc_iters 2), plus rotated batches: D
always sees real (64) + the last 4 real images rotated by 90/180/270 (12) + fake (64) + the last 4
fakes rotated (12) = 152 images in one call for the D updates; the G update runs D on the fakes and
their rotations alone (76 images), as this port does (no batch norm in D: ModularGAN.generatorSkipsReal);
a 4-way rotation head on D's features (cross-entropy on the 16 rotated-or-not images of each half;
weight 1.0 for D on real, 0.2 for G on fake).
s3gan adds: conditional batch norm in G (gamma, beta from the one-hot label), a projection
discriminator (class embedding . features), a linear class predictor on D's features trained on the
labelled real images (10%), whose argmax labels the unlabelled ones.
Prints one JSON line: {"framework": "pytorch", "ms_per_step": ...}.
"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F
p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=64); p.add_argument("--steps", type=int, default=5)
p.add_argument("--threads", type=int, default=1); p.add_argument("--ch", type=int, default=64)
p.add_argument("--mode", choices=["ssgan", "s3gan"], default="ssgan"); p.add_argument("--disc_iters", type=int, default=2)
a = p.parse_args()
torch.manual_seed(0); torch.set_num_threads(a.threads)
ch, B, C, Z, K, R = a.ch, a.batch, 1, 64, 10, 4  # R: images per rotation
cond = a.mode == "s3gan"
SN = nn.utils.spectral_norm
class CBN(nn.Module):
    def __init__(s, n):
        super().__init__()
        s.bn = nn.BatchNorm2d(n, affine=not cond)
        if cond: s.g, s.b = nn.Linear(K, n, bias=False), nn.Linear(K, n, bias=False)
    def forward(s, x, y):
        h = s.bn(x)
        return h * (1 + s.g(y)[:, :, None, None]) + s.b(y)[:, :, None, None] if cond else h
class GBlock(nn.Module):
    def __init__(s, i, o):
        super().__init__()
        s.b1, s.c1, s.b2, s.c2, s.sc = CBN(i), nn.Conv2d(i, o, 3, 1, 1), CBN(o), nn.Conv2d(o, o, 3, 1, 1), nn.Conv2d(i, o, 1)
    def forward(s, x, y):
        h = F.interpolate(F.relu(s.b1(x, y)), scale_factor=2)
        h = s.c2(F.relu(s.b2(s.c1(h), y)))
        return h + s.sc(F.interpolate(x, scale_factor=2))
class DBlock(nn.Module):
    def __init__(s, i, o, down):
        super().__init__()
        s.c1, s.c2, s.down = SN(nn.Conv2d(i, o, 3, 1, 1)), SN(nn.Conv2d(o, o, 3, 1, 1)), down
        s.sc = SN(nn.Conv2d(i, o, 1)) if (i != o or down) else None
    def forward(s, x):
        h = s.c2(F.relu(s.c1(F.relu(x))))
        sc = s.sc(x) if s.sc is not None else x
        if s.down: h, sc = F.avg_pool2d(h, 2), F.avg_pool2d(sc, 2)
        return h + sc
class G(nn.Module):
    def __init__(s):
        super().__init__()
        s.fc = nn.Linear(Z, 4 * 4 * ch); s.blocks = nn.ModuleList([GBlock(ch, ch) for _ in range(3)])
        s.bn, s.out = CBN(ch), nn.Conv2d(ch, C, 3, 1, 1)
    def forward(s, z, y):
        h = s.fc(z).view(-1, ch, 4, 4)
        for b in s.blocks: h = b(h, y)
        return torch.sigmoid(s.out(F.relu(s.bn(h, y))))
class D(nn.Module):
    def __init__(s):
        super().__init__()
        s.blocks = nn.Sequential(DBlock(C, ch, True), DBlock(ch, ch, True), DBlock(ch, ch, False), DBlock(ch, ch, False))
        s.fc, s.rot = SN(nn.Linear(ch, 1)), nn.Linear(ch, 4)
        if cond: s.embed, s.pred = SN(nn.Linear(K, ch, bias=False)), nn.Linear(ch, K)
    def forward(s, x):
        f = F.relu(s.blocks(x)).mean((2, 3))
        return s.fc(f), s.rot(f), f
g, d = G(), D()
og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.0, 0.999)); od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.0, 0.999))
real = torch.rand(B, C, 32, 32)
real_y = F.one_hot(torch.randint(0, K, (B,)), K).float()
labelled = (torch.rand(B) < 0.1).float()
def rotations(x): return [torch.rot90(x[-R:], k, (2, 3)) for k in (1, 2, 3)]
rot_target = torch.arange(4).repeat_interleave(R)
def run_d(fake, fake_y):
    """D on real + rotated real + fake + rotated fake; hinge logits, rotation logits per half."""
    x = torch.cat([real, *rotations(real), fake, *rotations(fake)])
    logits, rot, f = d(x)
    n = B + 3 * R
    if cond:  # projection with the true label when labelled, else the predictor's argmax
        pr = d.pred(f[:B])
        y_real = torch.where(labelled[:, None] > 0, real_y, F.one_hot(pr.argmax(1), K).float().detach())
        ys = torch.cat([y_real, y_real[-R:].repeat(3, 1), fake_y, fake_y[-R:].repeat(3, 1)])
        logits = logits + (d.embed(ys) * f).sum(1, keepdim=True)
        cls = (F.cross_entropy(pr, real_y.argmax(1), reduction="none") * labelled).sum() / labelled.sum().clamp(min=1)
    else:
        cls = 0.0
    rot_real = F.cross_entropy(torch.cat([rot[B - R:B], rot[B:n]]), rot_target)
    rot_fake = F.cross_entropy(torch.cat([rot[n + B - R:n + B], rot[n + B:]]), rot_target)
    return logits[:B], logits[n:n + B], rot_real, rot_fake, cls
def run_d_fakes(fake, fake_y):
    """G's step: D on the fakes + rotated fakes alone; hinge logits and the rotation loss."""
    logits, rot, f = d(torch.cat([fake, *rotations(fake)]))
    if cond:
        logits = logits + (d.embed(torch.cat([fake_y, fake_y[-R:].repeat(3, 1)])) * f).sum(1, keepdim=True)
    return logits[:B], F.cross_entropy(rot[B - R:], rot_target)
def fake_labels(): return F.one_hot(torch.randint(0, K, (B,)), K).float()
def step():
    for _ in range(a.disc_iters):
        fy = fake_labels()
        with torch.no_grad(): fake = g(torch.randn(B, Z), fy)
        lr_, lf, rr, _, cls = run_d(fake, fy)
        ld = F.relu(1 - lr_).mean() + F.relu(1 + lf).mean() + 1.0 * rr + cls
        od.zero_grad(); ld.backward(); od.step()
    fy = fake_labels()
    lf, rf = run_d_fakes(g(torch.randn(B, Z), fy), fy)
    lg = -lf.mean() + 0.2 * rf
    og.zero_grad(); lg.backward(); og.step()
step()
ts = []
for _ in range(a.steps):
    t = time.perf_counter(); step(); ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(json.dumps({"framework": "pytorch", "ms_per_step": round(ts[len(ts) // 2], 1), "threads": a.threads}))
