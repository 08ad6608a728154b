# The two commands of the README: `make demo` and `make test`. Everything else is a step of those.
PY ?= python3
WAREHOUSE ?= demo-warehouse
SEASONS ?= 2023
JOBS ?= 2
CMAKE_TEST_DIR ?= build/ctest

.PHONY: demo test deps install test-cpp test-python bench clean

deps:
	bash scripts/install-deps.sh

install: deps
	$(PY) -m pip install --no-build-isolation --disable-pip-version-check -q -e .

demo: install
	$(PY) -m nbaprops demo --warehouse $(WAREHOUSE) --seasons $(SEASONS)

test-cpp: deps
	cmake -S . -B $(CMAKE_TEST_DIR) -G Ninja -DNBAPROPS_BUILD_PYTHON=OFF -DNBAPROPS_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release
	cmake --build $(CMAKE_TEST_DIR) -j$(JOBS)
	ctest --test-dir $(CMAKE_TEST_DIR) --output-on-failure -j$(JOBS)

test-python: install
	$(PY) -m pytest tests/python

test: test-cpp test-python

bench: install
	$(PY) bench/python/bench_backfill.py
	$(PY) bench/python/bench_frames.py
	$(PY) bench/python/bench_zones.py
	$(PY) bench/python/bench_targets.py

clean:
	rm -rf build $(WAREHOUSE)
