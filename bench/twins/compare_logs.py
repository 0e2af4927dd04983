#!/usr/bin/env python3
"""Training curves of ours (a run's metrics.jsonl) beside a PyTorch twin's (its log.jsonl), as
means over windows of steps: d_loss, g_loss and D's accuracy (mean of real and fake accuracy).

  /usr/bin/python3 bench/twins/compare_logs.py RUN_DIR/metrics.jsonl TWIN_OUT/log.jsonl [--window 100]
"""
import argparse
import json


def load(path):
    recs = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if "d_acc_real" in r:  # ours
                r["d_accuracy"] = 0.5 * (r["d_acc_real"] + r["d_acc_fake"])
            recs.append(r)
    return recs


def windows(recs, w):
    out = {}
    for r in recs:
        k = (r["step"] - 1) // w
        out.setdefault(k, []).append(r)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("ours")
    p.add_argument("twin")
    p.add_argument("--window", type=int, default=100)
    a = p.parse_args()
    o, t = windows(load(a.ours), a.window), windows(load(a.twin), a.window)
    print(f"{'steps':>11} | {'d_loss ours':>11} {'twin':>6} | {'g_loss ours':>11} {'twin':>6} | {'D acc ours':>10} {'twin':>6}")
    for k in sorted(set(o) | set(t)):
        def m(side, f):
            rs = side.get(k, [])
            return sum(r[f] for r in rs) / len(rs) if rs else float("nan")
        print(f"{k * a.window + 1:>5}-{(k + 1) * a.window:<5} | {m(o, 'd_loss'):>11.3f} {m(t, 'd_loss'):>6.3f} | "
              f"{m(o, 'g_loss'):>11.3f} {m(t, 'g_loss'):>6.3f} | {m(o, 'd_accuracy'):>10.3f} {m(t, 'd_accuracy'):>6.3f}")


if __name__ == "__main__":
    main()
