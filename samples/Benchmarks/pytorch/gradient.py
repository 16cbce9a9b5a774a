"""The PyTorch side of `Benchmarks --gradient --pytorch`: the loss gradient of the same tanh chains.

For each "depth:width:batch" given: depth - 1 tanh layers (width -> width, with biases) and a linear
layer to 4 classes with softmax cross-entropy (the mean over the batch), float64 on the CPU; one
forward + backward is timed like the C# report times `network.LossAndGradient(parameters, batch, gradient)`
(the report's PyTorch ratio; it also times `network.At(parameters, batch).Gradient()` apart):
warm-up, then the median of repeated runs, with 2 threads and with 1. Beside the wall time, the
calling thread's CPU time (time.thread_time): with one thread all of PyTorch's work runs there, and
on a loaded machine it leaves out the waiting for a core, as the C# report's CPU column does.
Prints one line per configuration and thread count:
"depth width batch threads median_wall_ms runs median_thread_cpu_ms".
Run it with Debian's interpreter (/usr/bin/python3, python3-torch).
"""
import statistics
import sys
import time

import torch

CLASSES = 4
MINIMUM_SECONDS = 0.25  # repeat short runs until they add up to this, like the C# MedianTimer


def chain(depth, width):
    layers = []
    for _ in range(depth - 1):
        layers += [torch.nn.Linear(width, width), torch.nn.Tanh()]
    layers.append(torch.nn.Linear(width, CLASSES))
    return torch.nn.Sequential(*layers).double()


def median_ms(step, repeats):
    step()  # warm-up: allocations, first-call dispatch
    times = []
    cpu_times = []
    while len(times) < repeats or sum(times) < MINIMUM_SECONDS * 1000:
        start = time.perf_counter()
        cpu_start = time.thread_time()
        step()
        cpu_times.append((time.thread_time() - cpu_start) * 1000)
        times.append((time.perf_counter() - start) * 1000)
        if len(times) >= 1000:
            break
    return statistics.median(times), len(times), statistics.median(cpu_times)


def main(arguments):
    repeats = int(arguments[0])
    torch.manual_seed(0)
    for configuration in arguments[1:]:
        depth, width, batch = (int(part) for part in configuration.split(":"))
        network = chain(depth, width)
        inputs = torch.rand(batch, width, dtype=torch.float64) * 2 - 1
        labels = torch.randint(0, CLASSES, (batch,))
        loss_function = torch.nn.CrossEntropyLoss()

        def step():
            network.zero_grad(set_to_none=True)
            loss_function(network(inputs), labels).backward()

        for threads in (2, 1):
            torch.set_num_threads(threads)
            median, runs, cpu = median_ms(step, repeats)
            print(f"{depth} {width} {batch} {threads} {median:.6f} {runs} {cpu:.6f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
