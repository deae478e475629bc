"""Hardware reference for issue 21 item 4, run only on a lent GPU machine: the
bench's reference dense autoencoder (512 -> 128 -> 32 -> 128 -> 512, relu,
linear output, MSE, Adam lr 1e-3, batch 64 per model) trained in PyTorch, one
model alone and K models of one layout as one batched fleet graph (torch.bmm
over the model axis). It is NOT sensorwatch's code path (that is TensorFlow.js);
it says what the hardware does for the issue's >= 1M windows/s target.

usage: python3 scripts/gpu_fleet_reference.py [--seconds S]
Prints one line per case: `<case>: <windows/s> windows/s (<steps> steps)`.
"""
import argparse
import time

import torch

SIZES = [512, 128, 32, 128, 512]
# batches of fresh data cycled through the static input, as an epoch would feed them
ROTATE = 16


def make(k, device):
    ws, bs = [], []
    g = torch.Generator(device="cpu").manual_seed(42)
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        lim = (6.0 / (n_in + n_out)) ** 0.5  # glorot uniform, as Keras and tfjs
        ws.append(((torch.rand(k, n_in, n_out, generator=g) * 2 - 1) * lim).to(device).requires_grad_())
        bs.append(torch.zeros(k, 1, n_out, device=device, requires_grad=True))
    return ws, bs


def forward(x, ws, bs):
    h = x
    for i, (w, b) in enumerate(zip(ws, bs)):
        h = torch.baddbmm(b, h, w)
        if i < len(ws) - 1:
            h = torch.relu(h)
    return h


def run(k, batch, seconds, device, graph):
    ws, bs = make(k, device)
    params = ws + bs
    opt = torch.optim.Adam(params, lr=1e-3, capturable=graph, foreach=True)
    data = torch.randn(k, batch * ROTATE, SIZES[0], device=device)
    x = data[:, :batch].contiguous()

    def step():
        opt.zero_grad(set_to_none=False)
        out = forward(x, ws, bs)
        # mean over each model's batch and features, summed over models: each model's
        # gradient is its own MSE's gradient, as if trained alone
        loss = ((out - x) ** 2).mean(dim=(1, 2)).sum()
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    torch.cuda.synchronize()
    if graph:
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                step()
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        opt.zero_grad(set_to_none=False)
        with torch.cuda.graph(g):
            step()
        call = g.replay
    else:
        call = step
    torch.cuda.synchronize()
    steps, t0 = 0, time.perf_counter()
    while True:
        for i in range(50):
            j = (steps + i) % ROTATE
            x.copy_(data[:, j * batch:(j + 1) * batch])
            call()
        steps += 50
        torch.cuda.synchronize()
        el = time.perf_counter() - t0
        if el >= seconds:
            break
    return k * batch * steps / el, steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=4.0)
    a = p.parse_args()
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32, as the product trains
    print(f"device: {torch.cuda.get_device_name(0)}, torch {torch.__version__}, fp32 (no TF32)", flush=True)
    cases = [(1, 64, False), (1, 1024, False), (1, 64, True), (64, 64, True), (256, 64, True), (1024, 64, True), (4096, 64, True)]
    for k, batch, graph in cases:
        try:
            rate, steps = run(k, batch, a.seconds, dev, graph)
            print(f"{k} model(s) x batch {batch}{' (CUDA graph)' if graph else ''}: {rate:,.0f} windows/s ({steps} steps)", flush=True)
        except Exception as e:  # report and go on: a case that fails is a result too
            print(f"{k} model(s) x batch {batch}: FAILED {type(e).__name__}: {e}", flush=True)
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
