#!/usr/bin/env python3
"""Reference timing: one training step of gin-configs/fashion_mnist/dcgan.gin (or wgangp.gin with
--wgangp) in PyTorch on CPU, computing what compare_gan's ModularGAN (and this port) computes.

dcgan_arch at 28x28x1, batch 64, z 64, gf_dim = df_dim = ch (32):
G: linear z -> 2x2x8ch, BN, ReLU; four 5x5/2 deconvs (4ch, 2ch, ch: BN+ReLU each; then colors)
   to 4, 7, 14, 28 px; 0.5 * tanh + 0.5.
D: four 5x5/2 'same' convs (ch, 2ch, 4ch, 8ch) with lrelu(0.2), BN after the last three (none with
   --wgangp), linear to 1.
A step: disc_iters D updates, each on fresh fakes from G (no gradient to G) and D on real and fake;
then one G update. dcgan.gin: D called on the real and the fake batch separately
(ModularGAN.deprecated_split_disc_calls = True) in both updates, non-saturating loss, Adam(2e-4, 0.5,
0.999), disc_iters 1. wgangp.gin: D once on the concatenated real+fake batch (compare_gan's joint call)
in D's update and on the fakes alone in G's (no batch norm in D: exact, as this port does,
ModularGAN.generatorSkipsReal),
Wasserstein loss + gradient penalty (lambda 10) on random interpolates, Adam(1e-4, 0.5, 0.9),
disc_iters 5.
Prints one JSON line: {"framework": "pytorch", "ms_per_step": ...}.
"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F
p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=64); p.add_argument("--steps", type=int, default=5)
p.add_argument("--threads", type=int, default=1); p.add_argument("--ch", type=int, default=32)
p.add_argument("--wgangp", action="store_true")
a = p.parse_args()
torch.manual_seed(0); torch.set_num_threads(a.threads)
ch, B, S, C, Z = a.ch, a.batch, 28, 1, 64
disc_iters, lr, betas = (5, 1e-4, (0.5, 0.9)) if a.wgangp else (1, 2e-4, (0.5, 0.999))
def dc(i, o, op): return nn.ConvTranspose2d(i, o, 5, 2, 2, output_padding=op)
class G(nn.Module):
    def __init__(s):
        super().__init__()
        s.fc = nn.Linear(Z, 2 * 2 * 8 * ch); s.b1 = nn.BatchNorm1d(2 * 2 * 8 * ch)
        s.d1, s.b2 = dc(8 * ch, 4 * ch, 1), nn.BatchNorm2d(4 * ch)   # 2 -> 4
        s.d2, s.b3 = dc(4 * ch, 2 * ch, 0), nn.BatchNorm2d(2 * ch)   # 4 -> 7
        s.d3, s.b4 = dc(2 * ch, ch, 1), nn.BatchNorm2d(ch)           # 7 -> 14
        s.d4 = dc(ch, C, 1)                                           # 14 -> 28
    def forward(s, z):
        x = F.relu(s.b1(s.fc(z))).view(-1, 8 * ch, 2, 2)
        x = F.relu(s.b2(s.d1(x))); x = F.relu(s.b3(s.d2(x))); x = F.relu(s.b4(s.d3(x)))
        return torch.tanh(s.d4(x)) * 0.5 + 0.5
class D(nn.Module):
    def __init__(s):
        super().__init__()
        s.convs = nn.ModuleList([nn.Conv2d(i, o, 5, 2, 2) for i, o in [(C, ch), (ch, 2 * ch), (2 * ch, 4 * ch), (4 * ch, 8 * ch)]])
        s.bns = nn.ModuleList([nn.Identity() if a.wgangp else nn.BatchNorm2d(o) for o in [2 * ch, 4 * ch, 8 * ch]])
        s.fc = nn.Linear(8 * ch * 2 * 2, 1)
    def forward(s, x):
        x = F.leaky_relu(s.convs[0](x), 0.2)
        for c, bn in zip(s.convs[1:], s.bns): x = F.leaky_relu(bn(c(x)), 0.2)
        return s.fc(x.flatten(1))
g, d = G(), D()
og = torch.optim.Adam(g.parameters(), lr, betas=betas); od = torch.optim.Adam(d.parameters(), 2e-4 if not a.wgangp else lr, betas=betas)
real = torch.rand(B, C, S, S)
def d_loss(out):
    r, f = out[:B], out[B:]
    return (f.mean() - r.mean()) if a.wgangp else (F.softplus(-r).mean() + F.softplus(f).mean())
def d_both(fake):  # dcgan.gin splits the D calls (per-batch D batch norm); wgangp.gin joins them
    return torch.cat([d(real), d(fake)]) if not a.wgangp else d(torch.cat([real, fake]))
def step():
    for _ in range(disc_iters):
        with torch.no_grad(): fake = g(torch.randn(B, Z))
        ld = d_loss(d_both(fake))
        if a.wgangp:
            e = torch.rand(B, 1, 1, 1); xi = (e * real + (1 - e) * fake).requires_grad_(True)
            gx, = torch.autograd.grad(d(xi).sum(), xi, create_graph=True)
            ld = ld + 10 * ((gx.flatten(1).norm(dim=1) - 1) ** 2).mean()
        od.zero_grad(); ld.backward(); od.step()
    out = d(g(torch.randn(B, Z))) if a.wgangp else d_both(g(torch.randn(B, Z)))[B:]
    lg = -out.mean() if a.wgangp else F.softplus(-out).mean()
    og.zero_grad(); lg.backward(); og.step()
step()
ts = []
for _ in range(a.steps):
    t = time.perf_counter(); step(); ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(json.dumps({"framework": "pytorch", "ms_per_step": round(ts[len(ts) // 2], 1), "threads": a.threads}))
