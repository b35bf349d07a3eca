"""PNG plots of a results document (matplotlib, on the reporting interpreter).

``make_all`` raises ImportError if matplotlib is missing: the report then
goes without plots and says so.
"""

import os
import random

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def make_all(results, output_dir):
    """Every plot the results allow; {title: file name in output_dir}."""
    made = {}
    for title, name, function in (
        ("board: time relative to native (log scale)", "board.png", board),
        ("Scaling: time per element vs array size", "scaling.png", scaling),
        ("Distribution of board timings", "distribution.png", distribution),
    ):
        figure = function(results)
        if figure is None:
            continue
        figure.savefig(os.path.join(output_dir, name), dpi=110,
                       bbox_inches="tight")
        plt.close(figure)
        made[title] = name
    return made


def board(results):
    """Grouped bars: implementation x interpreter, ratio to native."""
    cases = [c for c in ("board", "board_long", "board_own_trig")
             if c in results.cases]
    if not cases:
        return None
    figure, axes = plt.subplots(len(cases), 1, squeeze=False,
                                figsize=(10, 3.6 * len(cases)))
    for ax, case in zip(axes[:, 0], cases):
        impls = [impl for impl in results.sorted_impls(case)
                 if any(results.ratio(case, i, impl)
                        for i in results.interpreters)]
        width = 0.8 / max(1, len(results.interpreters))
        for j, interpreter in enumerate(results.interpreters):
            ratios = [results.ratio(case, interpreter, impl) for impl in impls]
            xs = [i + j * width for i, r in enumerate(ratios) if r]
            ys = [r for r in ratios if r]
            bars = ax.bar(xs, ys, width, label=interpreter)
            ax.bar_label(bars, [f"{y:.3g}" for y in ys], fontsize=7)
        ax.set_yscale("log")
        ax.set_xticks([i + width * (len(results.interpreters) - 1) / 2
                       for i in range(len(impls))])
        ax.set_xticklabels(impls, rotation=20, ha="right")
        ax.set_ylabel("time / native")
        ax.set_title(f"{case} {results.params.get(case, '')}")
        ax.axhline(1.0, color="gray", linewidth=0.8)
        ax.legend()
    figure.tight_layout()
    return figure


def scaling(results):
    """Per interpreter: time per element vs n, one line per implementation."""
    cases = results.cases_in("scaling")
    if not cases:
        return None
    families = sorted({case.split("[")[0] for case in cases})
    figure, axes = plt.subplots(1, len(results.interpreters), squeeze=False,
                                figsize=(6 * len(results.interpreters), 4.5),
                                sharey=True)
    styles = ["-", "--", ":", "-."]
    for ax, interpreter in zip(axes[0], results.interpreters):
        for family, style in zip(families, styles):
            members = [c for c in cases if c.startswith(family + "[")]
            impls = []
            for case in members:
                impls += [i for i in results.impls_of(case) if i not in impls]
            for k, impl in enumerate(impls):
                points = [(results.params[c]["n"],
                           results.per_unit(c, interpreter, impl))
                          for c in members]
                points = [(n, t * 1e9) for n, t in points if t]
                if points:
                    ax.plot(*zip(*points), style, marker="o", markersize=3,
                            color=f"C{k}", label=f"{impl} {family[6:]}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("array size n")
        ax.set_ylabel("ns per element")
        ax.set_title(interpreter)
        ax.legend(fontsize=7)
    figure.tight_layout()
    return figure


def distribution(results, case="board"):
    """Every timed call of ``case``, per implementation and interpreter;
    each process in its own column within the implementation's, so that
    modes within and between processes show.

    Extension calls on PyPy are often bimodal: a median hides it.
    """
    if case not in results.cases:
        return None
    figure, axes = plt.subplots(1, len(results.interpreters), squeeze=False,
                                figsize=(6 * len(results.interpreters), 4.5))
    jitter = random.Random(0)
    for ax, interpreter in zip(axes[0], results.interpreters):
        impls = [i for i in results.sorted_impls(case)
                 if results.median(case, interpreter, i) is not None]
        for x, impl in enumerate(impls):
            processes = results.processes(case, interpreter, impl)
            width = 0.8 / len(processes)
            for k, timings in enumerate(processes):
                left = x - 0.4 + k * width
                xs = [left + jitter.uniform(0.1, 0.9) * width
                      for _ in timings]
                ax.scatter(xs, [t * 1e3 for t in timings], s=4, alpha=0.5,
                           color=f"C{x % 10}")
        ax.set_xticks(range(len(impls)))
        ax.set_xticklabels(impls, rotation=20, ha="right")
        ax.set_yscale("log")
        ax.set_ylabel("ms per call")
        ax.set_title(f"{case} timings, {interpreter}")
    figure.tight_layout()
    return figure
