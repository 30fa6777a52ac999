#!/bin/bash
# Makes src/commonpot/experiences/demo_voice/telling.ogg, the demo's spoken stand-in for
# Rosa's recording: each sentence of the transcript (experiences/demo.py TELLING) spoken
# by espeak-ng, padded, joined and encoded as Ogg Vorbis by sox. Prints the cue times
# to put in TELLING. Needs Debian's espeak-ng, sox and libsox-fmt-all.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sentences=(
  "This pozole has fed our family for four generations."
  "My grandmother Carmen made it in Chilapa, in a clay pot big enough for a child."
  "I learned it watching her hands, and I carried it to Riverside."
  "My son Tomás made it his own, green, with tomatillo."
  "Now Lina cooks it with me, and writes it all down."
  "Listen to the pot: when the bubbles get lazy, the meat is ready."
)
start=0
parts=()
for i in "${!sentences[@]}"; do
  espeak-ng -v en-us+f4 -s 135 -p 38 -g 4 -w "$work/s$i.wav" "${sentences[$i]}"
  sox "$work/s$i.wav" -r 16000 -c 1 "$work/p$i.wav" pad 0.15 0.55
  length=$(soxi -D "$work/p$i.wav")
  end=$(python3 -c "print(round($start + $length, 2))")
  printf '(%s, %s, "%s"),\n' "$start" "$end" "${sentences[$i]}"
  start=$end
  parts+=("$work/p$i.wav")
done
sox "${parts[@]}" -C 0 "$here/src/commonpot/experiences/demo_voice/telling.ogg"
