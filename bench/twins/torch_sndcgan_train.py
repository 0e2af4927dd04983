#!/usr/bin/env python3
"""PyTorch twin of gin-configs/fashion_mnist/sndcgan.gin, trained on real Fashion-MNIST.

Extends ../shared/bench/torch_sndcgan_step.py (a timing twin) into a trainer that computes what
this port's sndcgan_arch + ModularGAN compute (see twin_common.py for the shared ops):
G: linear z -> (s/8)^2 x 8ch, BN + ReLU; three 4x4/2 'SAME' deconvs (4ch, 2ch, ch; BN + ReLU),
   a 3x3/1 deconv to 1 channel, (tanh + 1) / 2 -> images in [0, 1] (our dataset's range).
D: x * 2 - 1; seven 'SAME' convs (3x3/1, 4x4/2 alternating; ch, 2ch, 2ch, 4ch, 4ch, 8ch, 8ch),
   lrelu 0.1, spectral norm (1 power iteration) on every conv and the linear head; no D norm.
BN: standardize_batch with decay 0.9, epsilon 1e-5 (sndcgan.gin). Init N(0, 0.02), biases 0.
z ~ U(-1, 1) (training and sampling). Non-saturating loss, Adam(2e-4, 0.5, 0.999), disc_iters 1.
Sampling: G in inference mode (BN moving averages), as our `gan eval` / `gan score` inputs.

  /usr/bin/python3 bench/twins/torch_sndcgan_train.py --steps 400 --batch 32 --ch 16 --seed 1 \
      --sample_steps 200,400 --num_samples 2000 --out /tmp/twin_s1

writes /tmp/twin_s1/samples_step{200,400}.npy (uint8 NHWC), grid_step*.png, log.jsonl and
summary.json (also printed as one JSON line). Score with:
  node packages/runner/bin/gan.js score /tmp/twin_s1/samples_step400.npy --against fashion-mnist:test --n 2000
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
        self.ch, self.size = ch, size
        self.s2 = -(-size // 2); self.s4 = -(-self.s2 // 2); self.s8 = -(-self.s4 // 2)
        self.fc = nn.Linear(z_dim, self.s8 * self.s8 * 8 * ch); self.bn1 = StandardizeBatchNorm(self.s8 * self.s8 * 8 * ch)
        self.dc2 = nn.ConvTranspose2d(8 * ch, 4 * ch, 4, 2); self.bn2 = StandardizeBatchNorm(4 * ch)
        self.dc3 = nn.ConvTranspose2d(4 * ch, 2 * ch, 4, 2); self.bn3 = StandardizeBatchNorm(2 * ch)
        self.dc4 = nn.ConvTranspose2d(2 * ch, ch, 4, 2); self.bn4 = StandardizeBatchNorm(ch)
        self.dc5 = nn.ConvTranspose2d(ch, colors, 3, 1)

    def forward(self, z):
        # Our linear output is [b, s8*s8*8ch] reshaped NHWC; reshaping NHWC then moving channels
        # first keeps the same grouping of units into channels (BN1 is per unit either way).
        x = F.relu(self.bn1(self.fc(z)))
        x = x.view(-1, self.s8, self.s8, 8 * self.ch).permute(0, 3, 1, 2)
        x = F.relu(self.bn2(deconv_same(self.dc2, x, self.s4)))
        x = F.relu(self.bn3(deconv_same(self.dc3, x, self.s2)))
        x = F.relu(self.bn4(deconv_same(self.dc4, x, self.size)))
        x = deconv_same(self.dc5, x, self.size)
        return (torch.tanh(x) + 1) / 2


class Discriminator(nn.Module):
    SPEC = [(1, 3, 1), (2, 4, 2), (2, 3, 1), (4, 4, 2), (4, 3, 1), (8, 4, 2), (8, 3, 1)]

    def __init__(self, ch, size=28, colors=1):
        super().__init__()
        convs, cin, s = [], colors, size
        for mult, k, st in self.SPEC:
            convs.append(SpectralNorm(nn.Conv2d(cin, mult * ch, k, st)))
            cin, s = mult * ch, -(-s // st)
        self.convs = nn.ModuleList(convs)
        self.ks = [(k, st) for _, k, st in self.SPEC]
        self.fc = SpectralNorm(nn.Linear(cin * s * s, 1))

    def forward(self, x):
        x = x * 2 - 1
        for conv, (k, st) in zip(self.convs, self.ks):
            x = F.leaky_relu(conv(same_pad(x, k, st)), 0.1)
        # Flatten NHWC as ours does (only the order of the head's inputs; kept for exactness).
        return self.fc(x.permute(0, 2, 3, 1).flatten(1)).squeeze(1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_args(p)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    g, d = Generator(a.ch, a.z_dim), Discriminator(a.ch)
    init_normal_(g); init_normal_(d)
    print(json.dumps(train(a, g, d)))


if __name__ == "__main__":
    main()
