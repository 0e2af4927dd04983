"""Shared parts of the PyTorch twin trainers (torch_sndcgan_train.py, torch_dcgan_fm_train.py).

Each piece computes what this port's (and compare_gan's) op of the same name computes, so that a
twin differs from ours only by the framework:
- load_fashion_mnist: the IDX train split as float32 NCHW in [0, 1] (our dataset's values).
- StandardizeBatchNorm: arch_ops.batch_norm = standardize_batch (biased batch variance, moving
  averages m <- decay m + (1 - decay) batch, used in inference mode) + gamma (1) / beta (0).
- spectral_norm_weight: arch_ops.spectral_norm, kernel as [prod(shape[:-1]), out], one power
  iteration per training call, persisted left singular vector u ~ N(0, 1) (updated only in training).
- same_pad / deconv_same: TensorFlow 'SAME' padding for convolutions and tf.nn.conv2d_transpose.
- init_normal_: kernels ~ N(0, 0.02) (arch_ops.weight_initializer's default), biases 0.
- train(): ModularGAN's step with disc_iters = 1: D on concat(real, G(z)) (fakes without gradient),
  then G with D again on concat(real, G(z')); z ~ U(-1, 1); Adam (lr, beta1, beta2, eps 1e-8).
- write_samples: uint8 NHWC .npy of G in inference mode (our sampling generator) and a PNG grid.
"""
import gzip
import json
import math
import os
import struct
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FMNIST_DIR = "/usr/share/datasets/fashion-mnist"


def load_fashion_mnist(data_dir=FMNIST_DIR, split="train"):
    name = "train" if split == "train" else "t10k"
    with gzip.open(os.path.join(data_dir, f"{name}-images-idx3-ubyte.gz"), "rb") as f:
        magic, n, h, w = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            raise ValueError(f"{f.name}: not an IDX image file (magic {magic})")
        x = np.frombuffer(f.read(n * h * w), dtype=np.uint8).reshape(n, 1, h, w)
    return x.astype(np.float32) / 255.0


class StandardizeBatchNorm(nn.Module):
    """arch_ops.batch_norm over all axes but the channel one (dim 1 here: NCHW or NC)."""

    def __init__(self, c, decay=0.9, eps=1e-5):
        super().__init__()
        self.decay, self.eps = decay, eps
        self.gamma = nn.Parameter(torch.ones(c))
        self.beta = nn.Parameter(torch.zeros(c))
        self.register_buffer("moving_mean", torch.zeros(c))
        self.register_buffer("moving_variance", torch.ones(c))

    def forward(self, x):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            mean = x.mean(dims)
            var = ((x - mean.view(shape)) ** 2).mean(dims)
            with torch.no_grad():
                self.moving_mean.mul_(self.decay).add_(mean.detach() * (1 - self.decay))
                self.moving_variance.mul_(self.decay).add_(var.detach() * (1 - self.decay))
        else:
            mean, var = self.moving_mean, self.moving_variance
        out = (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        return out * self.gamma.view(shape) + self.beta.view(shape)


class SpectralNorm(nn.Module):
    """Wraps a Conv2d / Linear: its weight divided by sigma from one power iteration per call."""

    def __init__(self, layer, eps=1e-12):
        super().__init__()
        self.layer, self.eps = layer, eps
        w = layer.weight
        rows = w[0].numel()  # TF kernel [k, k, in, out] as [k*k*in, out]: rows = in*k*k
        self.register_buffer("u", torch.randn(rows, 1))

    def weight(self):
        w = self.layer.weight
        out = w.shape[0]
        wm = w.reshape(out, -1).t()  # [rows, out]
        u = self.u
        with torch.no_grad():
            v = F.normalize(wm.t() @ u, dim=0, eps=math.sqrt(self.eps))
            u = F.normalize(wm @ v, dim=0, eps=math.sqrt(self.eps))
            if self.training:
                self.u.copy_(u)
        sigma = (u.t() @ wm @ v).squeeze()
        return w / sigma

    def forward(self, x):
        w = self.weight()
        if isinstance(self.layer, nn.Linear):
            return F.linear(x, w, self.layer.bias)
        return F.conv2d(x, w, self.layer.bias, self.layer.stride)


def same_pad(x, k, s):
    """Pads NCHW x as TensorFlow's 'SAME' before a k x k, stride-s convolution."""
    n = x.shape[-1]
    out = -(-n // s)
    tot = max((out - 1) * s + k - n, 0)
    return F.pad(x, (tot // 2, tot - tot // 2, tot // 2, tot - tot // 2))


def deconv_same(layer, x, out_size):
    """tf.nn.conv2d_transpose(..., padding='SAME') to out_size x out_size with a padding-0 ConvTranspose2d."""
    k, s, n = layer.kernel_size[0], layer.stride[0], x.shape[-1]
    if -(-out_size // s) != n:
        raise ValueError(f"deconv to {out_size} with stride {s} needs input {-(-out_size // s)}, got {n}")
    before = max((n - 1) * s + k - out_size, 0) // 2
    y = layer(x)
    return y[:, :, before:before + out_size, before:before + out_size]


def init_normal_(module, stddev=0.02):
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, stddev)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def sample_z(gen, n, z_dim):
    return torch.rand(n, z_dim, generator=gen) * 2 - 1


def png_bytes(img):
    """Grayscale uint8 [H, W] -> PNG file bytes (no dependency beyond zlib)."""
    h, w = img.shape
    raw = b"".join(b"\x00" + img[i].tobytes() for i in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def grid(images, cols=8, pad=1):
    """uint8 NHWC (C = 1) -> one [H, W] uint8 grid of the first cols*cols images."""
    n = min(len(images), cols * cols)
    rows = -(-n // cols)
    h, w = images.shape[1], images.shape[2]
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), 255, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = images[i, :, :, 0]
    return out


@torch.no_grad()
def generate(g, z_dim, n, gen, batch=500):
    g.eval()
    chunks = []
    for i in range(0, n, batch):
        x = g(sample_z(gen, min(batch, n - i), z_dim))
        chunks.append(np.round(x.clamp(0, 1).numpy() * 255).astype(np.uint8))
    g.train()
    return np.concatenate(chunks).transpose(0, 2, 3, 1)  # NHWC


def write_samples(g, z_dim, n, seed, out_dir, step):
    gen = torch.Generator().manual_seed(10_000 + seed)
    imgs = generate(g, z_dim, n, gen)
    npy = os.path.join(out_dir, f"samples_step{step}.npy")
    np.save(npy, imgs)
    png = os.path.join(out_dir, f"grid_step{step}.png")
    with open(png, "wb") as f:
        f.write(png_bytes(grid(imgs)))
    # Diversity at a glance: mean per-pixel std over the samples, and mean pairwise L2 of 200.
    x = imgs[:200].reshape(min(200, len(imgs)), -1).astype(np.float32) / 255
    d = np.sqrt(np.maximum(((x[:, None] - x[None]) ** 2).sum(-1), 0))
    return {"step": step, "npy": npy, "png": png, "pixel_std": float(imgs.astype(np.float32).std(0).mean() / 255),
            "mean_pairwise_l2": float(d[np.triu_indices(len(x), 1)].mean())}


def add_args(p, steps=400, batch=32, ch=16, lr=2e-4, beta1=0.5, beta2=0.999):
    p.add_argument("--steps", type=int, default=steps)
    p.add_argument("--batch", type=int, default=batch)
    p.add_argument("--ch", type=int, default=ch, help="width (sndcgan ch / dcgan gf_dim = df_dim)")
    p.add_argument("--z_dim", type=int, default=64)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--d_lr", type=float, default=None)
    p.add_argument("--beta1", type=float, default=beta1)
    p.add_argument("--beta2", type=float, default=beta2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--sample_steps", default="", help="comma-separated steps at which to write samples (default: the last)")
    p.add_argument("--num_samples", type=int, default=2000)
    p.add_argument("--out", required=True, help="output folder (samples_step<N>.npy, grid_step<N>.png, log.jsonl, summary.json)")
    p.add_argument("--data_dir", default=FMNIST_DIR)
    p.add_argument("--log_every", type=int, default=10)
    p.add_argument("--split_disc_calls", action="store_true",
                   help="D on real and fake separately (ModularGAN.deprecated_split_disc_calls): separate D batch-norm statistics")


def train(a, g, d, loss="non_saturating"):
    """Trains g and d (already seeded and initialised) on Fashion-MNIST; writes samples; returns the summary."""
    os.makedirs(a.out, exist_ok=True)
    real_all = load_fashion_mnist(a.data_dir)
    rs = np.random.RandomState(a.seed)
    zgen = torch.Generator().manual_seed(a.seed)
    og = torch.optim.Adam(g.parameters(), a.lr, betas=(a.beta1, a.beta2), eps=1e-8)
    od = torch.optim.Adam(d.parameters(), a.d_lr or a.lr, betas=(a.beta1, a.beta2), eps=1e-8)
    sample_steps = sorted({int(s) for s in a.sample_steps.split(",") if s} | {a.steps})
    order, pos = rs.permutation(len(real_all)), 0
    B = a.batch
    log = open(os.path.join(a.out, "log.jsonl"), "w")
    samples = []
    t0 = time.time()
    for step in range(1, a.steps + 1):
        if pos + B > len(order):
            order, pos = rs.permutation(len(real_all)), 0
        real = torch.from_numpy(real_all[order[pos:pos + B]])
        pos += B
        # D step: fakes without gradient, D once on real + fake.
        with torch.no_grad():
            fake = g(sample_z(zgen, B, a.z_dim))
        if a.split_disc_calls:
            lr_, lf = d(real), d(fake)
        else:
            logits = d(torch.cat([real, fake]))
            lr_, lf = logits[:B], logits[B:]
        if loss == "non_saturating":
            d_loss = F.softplus(-lr_).mean() + F.softplus(lf).mean()
        else:
            raise ValueError(loss)
        od.zero_grad(set_to_none=True)
        d_loss.backward()
        od.step()
        d_acc = 0.5 * ((lr_ > 0).float().mean() + (lf < 0).float().mean()).item()
        # G step: D again on real + fake (only G's parameters are updated).
        fake = g(sample_z(zgen, B, a.z_dim))
        lf2 = (d(real), d(fake))[1] if a.split_disc_calls else d(torch.cat([real, fake]))[B:]
        g_loss = F.softplus(-lf2).mean()
        og.zero_grad(set_to_none=True)
        g_loss.backward()
        og.step()
        if step % a.log_every == 0 or step == 1:
            rec = {"step": step, "d_loss": d_loss.item(), "g_loss": g_loss.item(), "d_accuracy": d_acc,
                   "d_real_logit": lr_.mean().item(), "d_fake_logit": lf.mean().item(), "t": round(time.time() - t0, 2)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
        if step in sample_steps:
            samples.append(write_samples(g, a.z_dim, a.num_samples, a.seed, a.out, step))
    log.close()
    torch.save({"g": g.state_dict(), "d": d.state_dict()}, os.path.join(a.out, "model.pt"))
    # G in training mode (batch statistics) beside the inference-mode grid: tells a BN
    # moving-average problem from a collapse of G itself.
    with torch.no_grad():
        x = g(sample_z(torch.Generator().manual_seed(20_000 + a.seed), 64, a.z_dim))
    with open(os.path.join(a.out, "grid_train_mode.png"), "wb") as f:
        f.write(png_bytes(grid(np.round(x.clamp(0, 1).numpy() * 255).astype(np.uint8).transpose(0, 2, 3, 1))))
    summary = {"framework": "pytorch", "torch": torch.__version__, "threads": a.threads, "seed": a.seed,
               "steps": a.steps, "batch_size": B, "ch": a.ch, "z_dim": a.z_dim, "lr": a.lr, "d_lr": a.d_lr or a.lr,
               "betas": [a.beta1, a.beta2], "split_disc_calls": a.split_disc_calls, "wall_s": round(time.time() - t0, 2), "samples": samples}
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return summary
