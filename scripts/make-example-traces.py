#!/usr/bin/env python3
"""Writes the synthetic example traces in scenarios/examples/traces/ (committed; rerun to regenerate).

A shop on two sites, private and public (30/70), from 09:00 KST on 2026-11-23 for two hours:
the morning ramp from 60 to 140 requests per second and a 3x surge from 60 to 75 minutes. It
writes the same traffic as Prometheus would answer /api/v1/query_range for

    sum(rate(http_requests_total[1m])) by (site)                 shop-requests.prom.json
    sum(kube_deployment_spec_replicas{deployment="shop"}) by (site)   shop-replicas.prom.json
    sum(rate(container_cpu_usage_seconds_total{pod=~"shop-.*"}[1m])) by (site)
      / sum(kube_pod_container_resource_requests{resource="cpu",pod=~"shop-.*"}) by (site)
                                                                 shop-cpu.prom.json

as a CSV with ISO 8601 times in +09:00 (shop-requests.csv), and the first 10 minutes of the overall
traffic, at a twentieth of the rate, as a web server's access log in Combined Log Format
(shop-access.log). The replicas are what an HPA at 60% CPU of one-core pods with 80 ms requests
would have shown: the pods needed 90 s earlier when growing, the highest of the last 5 minutes
when shrinking (its stabilization window), at least 3.

Synthetic: no real system produced these numbers. Standard library only; deterministic.
"""
import datetime
import json
import math
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios", "examples",
                   "traces")
KST = datetime.timezone(datetime.timedelta(hours=9))
START = datetime.datetime(2026, 11, 23, 9, 0, 0, tzinfo=KST)
T0 = int(START.timestamp())
STEP = 60
MINUTES = 120
SHARE = {"private": 0.3, "public": 0.7}
CPU_S = 0.08
TARGET = 0.6


def overall_rate(t):
    """Requests per second t seconds after 09:00."""
    ramp = 60 + 80 * (1 - math.cos(math.pi * min(t, 7200) / 7200)) / 2
    surge = 3.0 if 3600 <= t < 4500 else 1.0
    return ramp * surge


def needed(rate):
    return max(3, math.ceil(rate * CPU_S / TARGET))


def replicas(site, t):
    # Growing: what was needed 90 s ago; shrinking: the most needed over the 5 minutes before.
    return max(needed(overall_rate(max(0, t - 90 - s)) * SHARE[site]) for s in range(0, 301, 15))


def matrix(values_of):
    result = []
    for site in SHARE:
        values = [[T0 + k * STEP, values_of(site, k * STEP)] for k in range(MINUTES + 1)]
        result.append({"metric": {"site": site}, "values": values})
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def write_json(name, doc):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    write_json("shop-requests.prom.json",
               matrix(lambda s, t: "%.3f" % (overall_rate(t) * SHARE[s])))
    write_json("shop-replicas.prom.json", matrix(lambda s, t: str(replicas(s, t))))
    write_json("shop-cpu.prom.json",
               matrix(lambda s, t: "%.4f" % min(1.0, overall_rate(t) * SHARE[s] * CPU_S /
                                                 replicas(s, t))))
    with open(os.path.join(OUT, "shop-requests.csv"), "w") as f:
        f.write("# Requests per second by site, one row a minute (synthetic; "
                "scripts/make-example-traces.py)\n")
        f.write("time,private,public\n")
        for k in range(MINUTES + 1):
            t = k * STEP
            when = (START + datetime.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S+09:00")
            f.write("%s,%.3f,%.3f\n" % (when, overall_rate(t) * SHARE["private"],
                                        overall_rate(t) * SHARE["public"]))
    rng = random.Random(7)
    pages = ["/", "/catalog", "/item/42", "/cart", "/checkout", "/static/app.js"]
    with open(os.path.join(OUT, "shop-access.log"), "w") as f:
        t = 0.0
        while True:
            t += rng.expovariate(overall_rate(t) / 20)
            if t >= 600:
                break
            when = START + datetime.timedelta(seconds=t)
            stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0900")
            f.write('10.0.%d.%d - - [%s] "GET %s HTTP/1.1" 200 %d "-" "Mozilla/5.0"\n' %
                    (rng.randrange(256), rng.randrange(256), stamp, rng.choice(pages),
                     rng.randrange(500, 20000)))


if __name__ == "__main__":
    main()
