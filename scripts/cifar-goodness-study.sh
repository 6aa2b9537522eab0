#!/bin/bash
# Why does FF's goodness classifier lag its one-pass softmax on CIFAR-10 here, when the talk
# reports the opposite order? (issue 20, item 5). Trains cifar-ff-2-quick (5,000 training images,
# 3 epochs, validation on 1,000 images) once per variant and seed, each run in its own
# directory and under its own timeout, and appends the last epoch's validation errors to
# OUT/results.tsv. Re-running skips the runs already in the table.
#
#   scripts/cifar-goodness-study.sh OUT "1 2 3" [variant ...]
#
# Variants (the options each adds to the preset; 'base' is the preset as it is: min-ssq,
# label strength 5, hard negatives, goodness averaged over iterations 3–5):
set -u
OUT=${1:?usage: cifar-goodness-study.sh OUT SEEDS [variant ...]}
SEEDS=${2:-1 2}
shift 2 || true
declare -A VARIANT=(
  [base]=""
  [random-negatives]="--negatives random"
  [label-strength-1]="--label-strength 1"
  [label-strength-10]="--label-strength 10"
  [test-iterations-1-8]="--test-from 1 --test-to 8"
  [test-iterations-6-8]="--test-from 6 --test-to 8"
  [max-ssq]="--goodness max-ssq"
)
NAMES=${*:-base random-negatives label-strength-1 test-iterations-1-8 max-ssq label-strength-10 test-iterations-6-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
TSV="$OUT/results.tsv"
[ -f "$TSV" ] || printf 'variant\tseed\tvalid softmax %%\tvalid goodness %%\tseconds\n' > "$TSV"
for name in $NAMES; do
  opts=${VARIANT[$name]?unknown variant $name}
  for seed in $SEEDS; do
    if grep -q "^$name	$seed	" "$TSV"; then continue; fi
    dir="$OUT/$name-s$seed"
    rm -rf "$dir"
    start=$(date +%s)
    # shellcheck disable=SC2086
    timeout 900 npx --prefix "$ROOT" tsx "$ROOT/src/cli/main.ts" train --preset cifar-ff-2-quick --seed "$seed" $opts \
      --out "$dir" --no-progress > "$dir.log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    line=$(grep -E 'epoch +3/3' "$dir.log" | tail -1)
    soft=$(sed -nE 's/.*valid softmax ([0-9.]+)%.*/\1/p' <<< "$line")
    good=$(sed -nE 's/.*goodness ([0-9.]+)%.*/\1/p' <<< "$line")
    if [ $rc -ne 0 ] || [ -z "$soft" ]; then echo "$name seed $seed failed (rc $rc), see $dir.log" >&2; continue; fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$seed" "$soft" "$good" "$secs" | tee -a "$TSV"
  done
done
