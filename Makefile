# The two commands of the README: `make demo` and `make test`. Everything else is a step of those.
PY ?= python3
WAREHOUSE ?= demo-warehouse
SEASONS ?= 2023
JOBS ?= 2
CMAKE_TEST_DIR ?= build/ctest
# Second C++ build: clang with AddressSanitizer + UndefinedBehaviorSanitizer, limited to the parts
# that take outside input (tests/fuzz/CMakeLists.txt: the `sanitize` ctest label) + libFuzzer targets.
SANITIZE_DIR ?= build/sanitize
SANITIZE_TARGETS ?= nbaprops_trust_tests fuzz_shot_csv fuzz_bdl_json fuzz_schedule_json
FUZZ_RUNS ?= 20000

# One C++ compiler for every build here: the one Python's build recommends (what scikit-build-core gives the
# extension's build), unless CXX is set. ccache hashes the compiler's name, so the core library compiled for
# the C++ tests is reused by the Python build only when both call the compiler by the same name.
ifeq ($(origin CXX),default)
CXX := $(shell $(PY) -c "import sysconfig; print((sysconfig.get_config_var('CXX') or 'c++').split()[0])")
endif
export CXX

.PHONY: demo test deps install lint format tidy test-cpp test-sanitize test-sanitize-all test-python bench clean

deps:
	bash scripts/install-deps.sh

install: deps
	$(PY) -m pip install --no-build-isolation --disable-pip-version-check -q -e .

demo: install
	$(PY) -m nbaprops demo --warehouse $(WAREHOUSE) --seasons $(SEASONS)

# No function of the library or the bindings longer than this many lines (lizard, in `make lint`):
# extract → per-entity compute → emit, in functions of a readable size (issue 10).
MAX_FUNCTION_LINES ?= 120
# The pinned clang-format of requirements-dev.txt (the clang-format wheel).
CLANG_FORMAT = $(shell $(PY) -c "import clang_format; print(clang_format.get_executable('clang-format'))")
CXX_SOURCES = $(shell git ls-files 'cpp/*.cpp' 'cpp/*.hpp' 'bindings/*.cpp' 'bindings/*.hpp' 'tests/cpp/*.cpp' 'tests/cpp/*.hpp' 'tests/fuzz/*.cpp' | grep -v catalog_data)

lint: deps
	$(PY) -m ruff check python tests bench tools
	$(PY) -m ruff format --check python tests bench tools
	$(PY) tools/check_layers.py
	$(PY) tools/gen_catalog.py --check
	$(CLANG_FORMAT) --dry-run --Werror $(CXX_SOURCES)
	$(PY) -m lizard cpp/src bindings --warnings_only --length $(MAX_FUNCTION_LINES) --CCN 1000 --arguments 100

# clang-tidy with the checks of .clang-tidy (bugprone-*, performance-*) over the core library's sources (cpp/src),
# from a compile database of its own; any finding fails. Not part of `make test`: about 14 CPU minutes (8 on 2 cores) here.
TIDY_DIR ?= build/tidy
tidy: deps
	cmake -S . -B $(TIDY_DIR) -G Ninja -DNBAPROPS_BUILD_PYTHON=OFF -DNBAPROPS_BUILD_TESTS=OFF \
	  -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
	git ls-files 'cpp/src/*.cpp' | xargs -P$(JOBS) -n1 clang-tidy -p $(TIDY_DIR) --quiet --warnings-as-errors='*'

format: deps
	$(PY) -m ruff check --fix python tests bench tools
	$(PY) -m ruff format python tests bench tools
	$(CLANG_FORMAT) -i $(CXX_SOURCES)

test-cpp: deps
	cmake -S . -B $(CMAKE_TEST_DIR) -G Ninja -DNBAPROPS_BUILD_PYTHON=OFF -DNBAPROPS_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release
	cmake --build $(CMAKE_TEST_DIR) -j$(JOBS)
	ctest --test-dir $(CMAKE_TEST_DIR) --output-on-failure -j$(JOBS)

test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DNBAPROPS_BUILD_PYTHON=OFF \
	  -DNBAPROPS_BUILD_TESTS=ON -DNBAPROPS_ENABLE_SANITIZERS=ON -DNBAPROPS_BUILD_FUZZERS=ON -DCMAKE_BUILD_TYPE=Release
	cmake --build $(SANITIZE_DIR) -j$(JOBS) --target $(SANITIZE_TARGETS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j$(JOBS) -L sanitize
	bash tests/fuzz/smoke.sh $(SANITIZE_DIR) $(FUZZ_RUNS)

# The whole C++ suite (every ctest label) under AddressSanitizer + UndefinedBehaviorSanitizer, built with the
# project's compiler (CXX above; test-sanitize needs clang for libFuzzer).
# Not part of `make test` (CI keeps to test-sanitize): about 16 minutes to build and 2 to run on 2 cores.
SANITIZE_ALL_DIR ?= build/sanitize-all
test-sanitize-all: deps
	cmake -S . -B $(SANITIZE_ALL_DIR) -G Ninja -DNBAPROPS_BUILD_PYTHON=OFF -DNBAPROPS_BUILD_TESTS=ON \
	  -DNBAPROPS_ENABLE_SANITIZERS=ON -DCMAKE_BUILD_TYPE=Release
	cmake --build $(SANITIZE_ALL_DIR) -j$(JOBS) --target nbaprops_tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(SANITIZE_ALL_DIR) --output-on-failure -j$(JOBS) --timeout 1200

# Test files run in parallel, one file per worker (pytest-xdist): the BigQuery emulator's cascade (about
# 5-7 minutes on the 2-core machine, mostly the emulator's own Python) runs beside the rest of the suite
# instead of before it.
test-python: install
	$(PY) -m pytest tests/python -n $(JOBS) --dist loadfile

test: lint test-cpp test-sanitize test-python

bench: install
	$(PY) bench/python/bench_backfill.py
	$(PY) bench/python/bench_frames.py
	$(PY) bench/python/bench_zones.py
	$(PY) bench/python/bench_targets.py

clean:
	rm -rf build $(WAREHOUSE)
