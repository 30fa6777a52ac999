#!/bin/sh
# Compile commonpot's own C code, each file into a library loaded with ctypes (no Python
# headers; file names no import can take for a module):
# - the allocation engine's network simplex (network/simplex.c -> libcommonpot-simplex.so);
#   without it allocation solves with OR-Tools instead: the same optimum, slower;
# - the ledger verifier's scanner (governance/ledgerscan.c -> libcommonpot-ledger.so);
#   without it `ledger verify` checks each entry in Python: the same verdicts, slower.
set -u
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build-native: no C compiler ($cc); allocation and ledger verification run slower" >&2
    exit 0
fi
build() {  # build SOURCE LIBRARY
    if "$cc" -O2 -std=c99 -Wall -Werror -shared -fPIC -o "$2.tmp" "$1" -lm -ldl; then
        mv "$2.tmp" "$2"
    else
        rm -f "$2.tmp"
        echo "build-native: $1 did not compile; the Python path will be used (slower)" >&2
    fi
}
build src/commonpot/network/simplex.c src/commonpot/network/libcommonpot-simplex.so
build src/commonpot/governance/ledgerscan.c src/commonpot/governance/libcommonpot-ledger.so
