#!/usr/bin/env python3
"""PyTorch twin of gin-configs/fashion_mnist/dcgan.gin, trained on real Fashion-MNIST.

Extends torch_dcgan_fm_step.py (a timing twin) into a trainer that computes what this port's
dcgan_arch + ModularGAN compute (twin_common.py holds the shared ops):
G: linear z -> 2x2x8ch, BN + ReLU; four 5x5/2 'SAME' deconvs to 4, 7, 14, 28 px (4ch, 2ch, ch with
   BN + ReLU; then 1 channel), 0.5 tanh + 0.5 -> images in [0, 1].
D: four 5x5/2 'SAME' convs (ch, 2ch, 4ch, 8ch), lrelu 0.2, D batch norm after the last three
   (--no_d_bn: none; --d_sn: spectral norm on every D layer), linear to 1 on the NHWC-flattened map. D sees [0, 1] images (no rescaling).
BN: standardize_batch (decay 0.9, epsilon 1e-5) with gamma / beta, in training mode for every
D call (real and fake concatenated, as ModularGAN). Init N(0, 0.02), biases 0. z ~ U(-1, 1).
Non-saturating loss, Adam(2e-4, 0.5, 0.999), disc_iters 1.

  /usr/bin/python3 bench/twins/torch_dcgan_fm_train.py --steps 400 --batch 64 --ch 32 --seed 1 \
      --sample_steps 200,400 --num_samples 2000 --out /tmp/dcgan_twin_s1
"""
import argparse
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from twin_common import SpectralNorm, StandardizeBatchNorm, add_args, deconv_same, init_normal_, same_pad, train


class Generator(nn.Module):
    def __init__(self, ch, z_dim, size=28, colors=1):
        super().__init__()
        self.ch = ch
        self.sizes = [size]
        for _ in range(4):
            self.sizes.append(-(-self.sizes[-1] // 2))  # 28, 14, 7, 4, 2
        s16 = self.sizes[4]
        self.fc = nn.Linear(z_dim, s16 * s16 * 8 * ch); self.bn1 = StandardizeBatchNorm(8 * ch)
        self.dc1 = nn.ConvTranspose2d(8 * ch, 4 * ch, 5, 2); self.bn2 = StandardizeBatchNorm(4 * ch)
        self.dc2 = nn.ConvTranspose2d(4 * ch, 2 * ch, 5, 2); self.bn3 = StandardizeBatchNorm(2 * ch)
        self.dc3 = nn.ConvTranspose2d(2 * ch, ch, 5, 2); self.bn4 = StandardizeBatchNorm(ch)
        self.dc4 = nn.ConvTranspose2d(ch, colors, 5, 2)

    def forward(self, z):
        s = self.sizes
        # Ours reshapes to NHWC before g_bn1, so BN1 is per channel (8ch), not per unit.
        x = self.fc(z).view(-1, s[4], s[4], 8 * self.ch).permute(0, 3, 1, 2)
        x = F.relu(self.bn1(x))
        x = F.relu(self.bn2(deconv_same(self.dc1, x, s[3])))
        x = F.relu(self.bn3(deconv_same(self.dc2, x, s[2])))
        x = F.relu(self.bn4(deconv_same(self.dc3, x, s[1])))
        return torch.tanh(deconv_same(self.dc4, x, s[0])) * 0.5 + 0.5


class Discriminator(nn.Module):
    def __init__(self, ch, d_bn=True, d_sn=False, size=28, colors=1):
        super().__init__()
        chans = [colors, ch, 2 * ch, 4 * ch, 8 * ch]
        sn = SpectralNorm if d_sn else (lambda m: m)
        self.convs = nn.ModuleList([sn(nn.Conv2d(chans[i], chans[i + 1], 5, 2)) for i in range(4)])
        self.bns = nn.ModuleList([StandardizeBatchNorm(c) if d_bn else nn.Identity() for c in chans[2:]])
        s = size
        for _ in range(4):
            s = -(-s // 2)
        self.fc = sn(nn.Linear(8 * ch * s * s, 1))

    def forward(self, x):
        x = F.leaky_relu(self.convs[0](same_pad(x, 5, 2)), 0.2)
        for conv, bn in zip(self.convs[1:], self.bns):
            x = F.leaky_relu(bn(conv(same_pad(x, 5, 2))), 0.2)
        return self.fc(x.permute(0, 2, 3, 1).flatten(1)).squeeze(1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_args(p, batch=64, ch=32)
    p.add_argument("--no_d_bn", action="store_true", help="no batch norm in D (D.batch_norm_fn = None)")
    p.add_argument("--d_sn", action="store_true", help="spectral norm on D's convolutions and head (D.spectral_norm = True)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    g, d = Generator(a.ch, a.z_dim), Discriminator(a.ch, d_bn=not a.no_d_bn, d_sn=a.d_sn)
    init_normal_(g); init_normal_(d)
    s = train(a, g, d)
    s["d_bn"], s["d_sn"] = not a.no_d_bn, a.d_sn
    print(json.dumps(s))


if __name__ == "__main__":
    main()
