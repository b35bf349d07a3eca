# piconumpy: `make test` and `make bench` do all the set-up themselves.
#
# One virtual environment per interpreter under .venv/ (tools/venvs.py),
# each with the package built and installed by pip.  INTERPRETERS lists the
# interpreters to use; PYTHON=... (one or several) overrides it.

BOOT ?= python3
INTERPRETERS ?= $(if $(PYTHON),$(PYTHON),python3 pypy3)
PYTEST_ARGS ?=
# More arguments of `python -m piconumpy.bench` (e.g. BENCH_ARGS="-w board_long").
BENCH_ARGS ?=

.PHONY: all install test test-memory bench bench-quick clean

all: install

install:
	$(BOOT) tools/venvs.py --extras test $(INTERPRETERS)

test:
	@pythons="$$($(BOOT) tools/venvs.py --extras test $(INTERPRETERS))" \
	  && $(BOOT) tools/test_all.py $$pythons -- $(PYTEST_ARGS)

# The C backends' suites under valgrind memcheck and AddressSanitizer, on
# CPython (tools/memcheck.sh says how); minutes, so not part of `make test`.
test-memory:
	@pythons="$$($(BOOT) tools/venvs.py --extras test,dev python3)" \
	  && PYTHON="$$pythons" tools/memcheck.sh asan \
	  && PYTHON="$$pythons" tools/memcheck.sh valgrind

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
	rm -f src/piconumpy/_cython.c
