#!/usr/bin/env python3
"""What PyPy's JIT made of a run, read from a PYPYLOG file.

    PYPYLOG=jit-summary,jit-log-opt:run.log pypy3 program.py
    python3 tools/jit_view.py run.log [--json] [--top N] [--sizes]

A shortcut for ``python -m piconumpy.bench.explain.jit --parse LOG ...``
(the parser lives there; ``python -m piconumpy.bench jit`` runs the
board and element_wise under PyPy and tabulates what the JIT left).
"""

import os
import sys

try:
    from piconumpy.bench.explain import jit
except ImportError:  # a source tree without piconumpy installed
    sys.path.insert(0, os.path.join(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))), "src"))
    from piconumpy.bench.explain import jit

if __name__ == "__main__":
    sys.exit(jit.main(["--parse"] + sys.argv[1:]))
