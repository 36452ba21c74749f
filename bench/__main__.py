"""`python -m bench`: the benchmark suite (see bench/suite.py); `make bench` runs it."""

import sys

from bench.suite import main

sys.exit(main())
