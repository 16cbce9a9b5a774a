#!/usr/bin/env bash
# Builds the OpenBLAS timing driver into bin/ beside this script (git-ignored). Needs a C compiler
# and OpenBLAS: apt-get update && apt-get install -y libopenblas-dev. Not built by the solution or CI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$here/bin"
cc -O2 -std=c11 -D_POSIX_C_SOURCE=199309L -Wall -Wextra -Werror -o "$here/bin/lapack_rates" "$here/lapack_rates.c" -lopenblas -lm
echo "$here/bin/lapack_rates"
