"""`focus metrics` timing against real servers (targets from issue 3):

- both sources up: at most 1.3x the slower source alone;
- both sources down: at most the timeout plus 0.5 s.

    python bench/metrics.py [--runs 10]

Starts its own MLflow and Prometheus on free loopback ports (as the test fixtures do), logs
one real run, and stops them afterwards. Medians of interleaved runs of the real CLI.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import closed_port_url, silent_server

from bench.run import focus_command, interleaved, run_quiet


def write_config(folder: Path, mlflow: str, prometheus: str, timeout: float) -> None:
    (folder / "focus.yaml").write_text(
        f"mlflow:\n  tracking_uri: {mlflow}\nprometheus:\n  url: {prometheus}\n"
        "slos:\n  - name: scrape-success\n    query: avg(up)\n    min: 1\n"
        f"timeout: {timeout}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()

    from agent_focus.metrics.local_services import free_port, start_mlflow, start_prometheus

    work = Path(tempfile.mkdtemp(prefix="focus-bench-metrics-"))
    focus = focus_command()
    os.chdir(work)
    mlflow = start_mlflow(work / "mlflow", free_port())
    prometheus = start_prometheus(work / "prometheus", free_port(), interval="1s")
    try:
        from mlflow.tracking import MlflowClient

        client = MlflowClient(mlflow.url)
        run = client.create_run(client.create_experiment("bench"), run_name="r1")
        client.log_metric(run.info.run_id, "loss", 0.25)
        write_config(work, mlflow.url, prometheus.url, args.timeout)

        def metrics(*extra: str) -> None:
            run_quiet([*focus, "metrics", "--json", *extra])

        up = interleaved(
            {
                "mlflow alone": lambda: metrics("--source", "mlflow"),
                "prometheus alone": lambda: metrics("--source", "prometheus"),
                "both": lambda: metrics(),
            },
            args.runs,
        )
    finally:
        mlflow.stop()
        prometheus.stop()

    write_config(work, closed_port_url(), closed_port_url(), args.timeout)
    refused = interleaved({"both refused": lambda: metrics()}, args.runs)
    with silent_server() as a, silent_server() as b:
        write_config(work, a, b, args.timeout)
        silent = interleaved({"both silent": lambda: metrics()}, max(3, args.runs // 3))

    slower = max(up["mlflow alone"], up["prometheus alone"])
    print(f"{args.runs} interleaved runs, medians; timeout {args.timeout:g} s\n")
    print("| benchmark | median | target |\n|---|---|---|")
    print(f"| `focus metrics --source mlflow` (up) | {up['mlflow alone'] * 1000:.0f} ms | |")
    print(
        f"| `focus metrics --source prometheus` (up) | {up['prometheus alone'] * 1000:.0f} ms | |"
    )
    print(
        f"| `focus metrics`, both up | {up['both'] * 1000:.0f} ms ({up['both'] / slower:.2f}x the slower) | at most 1.3x |"
    )
    print(
        f"| `focus metrics`, both refused | {refused['both refused'] * 1000:.0f} ms | at most {args.timeout + 0.5:g} s |"
    )
    print(
        f"| `focus metrics`, both never answer | {silent['both silent'] * 1000:.0f} ms | at most {args.timeout + 0.5:g} s |"
    )


if __name__ == "__main__":
    main()
