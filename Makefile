# piconumpy: `make test` and `make bench` do all the set-up themselves.
#
# One virtual environment per interpreter under .venv/ (tools/venvs.py),
# each with the package built and installed by pip.  INTERPRETERS lists the
# interpreters to use; PYTHON=... (one or several) overrides it.  A name is
# a host command (python3, python3.12, pypy3), a path, or COMMAND@RELEASE:
# that Debian release's interpreter in a root filesystem run with bubblewrap
# (tools/roots.py makes it once, under ~/.cache/piconumpy/roots).

BOOT ?= python3
ALL_INTERPRETERS = python3 python3.12 python3.13 python3.14@sid \
	python3.15@sid pypy@bookworm pypy@trixie pypy@sid
INTERPRETERS ?= $(if $(PYTHON),$(PYTHON),$(ALL_INTERPRETERS))
# `make test`: interpreters set up and tested at a time (2 cores).
JOBS ?= 2
PYTEST_ARGS ?=
# More arguments of `python -m piconumpy.bench` (e.g. BENCH_ARGS="-w board_long").
BENCH_ARGS ?=

# make check: the sizes of its long runs (see README, "Hardening").
FUZZ_EXAMPLES ?= 2000
SOAK_SECONDS ?= 20

.PHONY: all install test test-memory check fuzz soak bench bench-quick clean

all: install

install:
	$(BOOT) tools/venvs.py --extras test $(INTERPRETERS)

test:
	@$(BOOT) tools/test_all.py --jobs $(JOBS) $(INTERPRETERS) -- $(PYTEST_ARGS)

# The C backends' suites under valgrind memcheck and AddressSanitizer, on
# CPython (tools/memcheck.sh says how); minutes, so not part of `make test`.
test-memory:
	@pythons="$$($(BOOT) tools/venvs.py --extras test,dev python3)" \
	  && PYTHON="$$pythons" tools/memcheck.sh asan \
	  && PYTHON="$$pythons" tools/memcheck.sh valgrind

# Everything that hardens: the tests, the memory checkers, a long run of the
# differential fuzzer and the soak (memory flat under load), on both
# interpreters; about 20 minutes.  Not the benchmark.
check: test test-memory fuzz soak

# The differential fuzzer (tests/fuzz/) alone, FUZZ_EXAMPLES examples per
# test on each interpreter (make test runs a few hundred).
fuzz:
	@pythons="$$($(BOOT) tools/venvs.py --extras test $(INTERPRETERS))" \
	  && for python in $$pythons; do \
	       echo "===== fuzz: $$python, $(FUZZ_EXAMPLES) examples per test"; \
	       PICONUMPY_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $$python -m pytest -q \
	         -p no:cacheprovider -o faulthandler_timeout=900 \
	         tests/fuzz || exit 1; \
	     done

# tools/soak.py: the board workload and every error path, SOAK_SECONDS per
# backend, on each interpreter; fails if memory grows after the warm-up.
soak:
	@pythons="$$($(BOOT) tools/venvs.py --extras test $(INTERPRETERS))" \
	  && for python in $$pythons; do \
	       $$python tools/soak.py --seconds $(SOAK_SECONDS) || exit 1; \
	     done

bench:
	@pythons="$$($(BOOT) tools/venvs.py --extras test,bench --optional compilers $(INTERPRETERS))" \
	  && first="$$(echo "$$pythons" | head -n 1)" \
	  && $$first -m piconumpy.bench --interpreters $$pythons $(BENCH_ARGS)

bench-quick:
	@pythons="$$($(BOOT) tools/venvs.py --extras test,bench $(INTERPRETERS))" \
	  && first="$$(echo "$$pythons" | head -n 1)" \
	  && $$first -m piconumpy.bench --quick --interpreters $$pythons $(BENCH_ARGS)

clean:
	rm -rf build .venv src/*.egg-info .pytest_cache .hypothesis
	find src -name '*.so' -delete
	rm -f src/piconumpy/backends/cython.c
