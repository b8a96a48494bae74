"""``routing-core bench --plot FILE.png``: latency over the replay and throughput versus open events.

Needs matplotlib (the ``plot`` extra); it is imported only here, with the Agg backend (no display).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bench_peers import PeerResult
    from .replay import ReplayResult

__all__ = ["plot_replay"]


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "routing-core bench --plot needs matplotlib: pip install 'routing_core[plot]'"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_replay(result: ReplayResult, path: str | Path, peers: Sequence[PeerResult] = ()) -> Path:
    """Write a two-panel PNG of the replay (and, if given, the peers' throughput) to ``path``."""
    plt = _pyplot()
    t = result.timeline
    reports = list(t.reports)
    latency = list(t.latency_us)
    throughput = [1e6 / v if v else 0.0 for v in latency]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.6), constrained_layout=True)

    left.plot(reports, latency, lw=0.6, color="tab:blue", label=f"per batch of {result.batch_size}")
    for q, style in (("p50", "--"), ("p99", ":")):
        if q in result.latency_us:
            left.axhline(
                result.latency_us[q],
                ls=style,
                color="tab:red",
                lw=1,
                label=f"{q} {result.latency_us[q]:,.0f} µs",
            )
    left.set_xlabel("reports submitted")
    left.set_ylabel("per-report latency (µs, batch time / batch size)")
    left.set_title(f"Latency over the replay: {result.days} days, {result.reports:,} reports")
    left.set_ylim(bottom=0)
    left.grid(alpha=0.3)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, ncol=3)

    right.scatter(
        list(t.open_events), throughput, s=6, alpha=0.5, color="tab:blue", label="routing_core, per batch"
    )
    markers = iter("osD^v")
    for p in peers[1:]:  # the first row is the engine on the sample
        right.scatter(
            [p.compared_against],
            [p.reports_per_second],
            s=60,
            marker=next(markers, "x"),
            label=f"{p.method} (F1 {p.f1:.2f}; x = {p.compared_what})",
        )
    if peers:
        e = peers[0]
        right.scatter(
            [e.compared_against],
            [e.reports_per_second],
            s=60,
            marker="*",
            color="black",
            label=f"routing_core on the peers' sample (F1 {e.f1:.2f})",
        )
    right.set_xlabel("open events")
    right.set_ylabel("reports per second")
    right.set_title("Throughput versus open events (one thread)")
    right.set_ylim(bottom=0)
    right.grid(alpha=0.3)
    # Below the axes, so that it never hides a point.
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=7, ncol=2)

    machine = result.machine
    fig.suptitle(
        f"routing-core bench · {machine.get('cpu', '')} · {machine.get('cpus', '?')} CPUs · "
        f"Python {machine.get('python', '')}",
        fontsize=9,
    )
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
