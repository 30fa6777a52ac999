#!/bin/sh
# Compile commonpot's own C code: the allocation engine's network simplex
# (src/commonpot/network/simplex.c -> libcommonpot-simplex.so, loaded with ctypes; no Python headers).
# Without a C compiler the engine solves with OR-Tools instead: the same optimum, slower.
set -u
cc="${CC:-cc}"
src=src/commonpot/network/simplex.c
out=src/commonpot/network/libcommonpot-simplex.so  # a name no import can take for a module
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build-native: no C compiler ($cc); allocation will solve with OR-Tools (slower)" >&2
    exit 0
fi
if "$cc" -O2 -std=c99 -Wall -Werror -shared -fPIC -o "$out.tmp" "$src" -lm; then
    mv "$out.tmp" "$out"
else
    rm -f "$out.tmp"
    echo "build-native: $src did not compile; allocation will solve with OR-Tools (slower)" >&2
fi
