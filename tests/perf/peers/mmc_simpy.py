#!/usr/bin/python3
"""M/M/c (lambda 8/s, mu 1/s, c 10, FIFO) in SimPy, as Debian packages it (python3-simpy:
SimPy 2.3, the classic Process API). Prints customers, wall seconds, customers per second and the
mean response time (Erlang C: 1.2046 s).
Usage: mmc_simpy.py [CUSTOMERS]"""
import random
import sys
import time

from SimPy.Simulation import (Process, Resource, activate, hold, initialize, now, release,
                              request, simulate)

LAM, MU, C = 8.0, 1.0, 10


class Customer(Process):
    def visit(self, server, totals):
        arrived = now()
        yield request, self, server
        yield hold, self, random.expovariate(MU)
        yield release, self, server
        totals[0] += now() - arrived
        totals[1] += 1


class Source(Process):
    def generate(self, n, server, totals):
        for _ in range(n):
            c = Customer()
            activate(c, c.visit(server, totals))
            yield hold, self, random.expovariate(LAM)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    random.seed(1)
    initialize()
    server = Resource(capacity=C)
    totals = [0.0, 0]
    source = Source()
    activate(source, source.generate(n, server, totals))
    t0 = time.perf_counter()
    simulate(until=1e12)
    wall = time.perf_counter() - t0
    print(f"simpy customers {totals[1]} wall_s {wall:.3f} per_s {totals[1] / wall:.0f} "
          f"mean_rt_s {totals[0] / totals[1]:.4f}")


if __name__ == "__main__":
    main()
