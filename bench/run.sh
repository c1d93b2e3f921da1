#!/bin/sh
# The benchmark suite: one command. Settings through the environment (see bench/run.py),
# e.g. a quick proof: SIZES=10000 BACKENDS=sqlite RUNS=1 DURATION=3 PROFILE=debug bench/run.sh
set -e
cd "$(dirname "$0")/.."
exec python3 bench/run.py "$@"
