#!/usr/bin/env bash
# Train a fixed set of small configurations (FF and BP, every wiring) for 2 epochs with the
# tree TREE and print each run's fingerprint (scripts/run-fingerprint.ts). Run it on the
# previous commit and on the new one: equal lines mean the change trains them bit-identically.
# Usage: scripts/fingerprint-suite.sh TREE OUT_DIR [NAME_REGEX]   (FF_CIFAR_DIR must point at CIFAR-10;
# NAME_REGEX: only the configs whose name matches, e.g. 'conv')
set -euo pipefail
tree=$(cd "$1" && pwd); out=$2; only=${3:-}; mkdir -p "$out"; out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
small="--epochs 2 --train-subset 3000 --eval-subset 500 --no-progress"
dense="--layers 200,200,200"
chip="--device 1 --analog-variation 0.3 --analog-gain 0.2 --analog-mul-noise 0.1 --analog-add-noise 0.1 --analog-weight-noise 0.05 --analog-drift 0.001"
configs=(
  "ff-hard|--preset quick $dense"
  "ff-random|--preset quick $dense --negatives random"
  "ff-adam-symba|--preset quick $dense --optimizer adam --lr 0.001 --loss symba"
  "ff-greedy|--preset quick $dense --train-mode greedy --epochs 1"
  "ff-minssq|--preset quick $dense --goodness min-ssq --goodness-power 1 --peer-lambda 0"
  "ff-recurrent|--preset recurrent-quick $dense"
  "ff-recurrent-lateral|--preset recurrent-quick $dense --lateral"
  "ff-unsupervised|--preset unsupervised-quick $dense"
  "ff-grid|--preset unsupervised-local-quick --train-subset 1000"
  "ff-lc|--preset cifar-ff-2-quick --train-subset 300"
  "bp-dense|--preset quick --algo bp $dense"
  "bp-lc|--preset cifar-bp-2-quick --train-subset 300"
  "bp-adam-rms|--preset quick --algo bp $dense --optimizer adam --lr 0.001 --input-norm rms"
  "bp-smooth|--preset quick --algo bp $dense --optimizer smooth --lr 0.01"
  "ff-box-drift|--preset quick $dense --box-after 1 --box-drift 0.01"
  "bp-box-oracle|--preset quick --algo bp $dense --box-after 2 --box-drift 0.01"
  "bp-box-identity|--preset quick --algo bp $dense --box-after 1 --box-model identity"
  "bp-box-stale|--preset quick --algo bp $dense --box-after 1 --box-drift 0.01 --box-model stale"
  "bp-box-learned|--preset quick --algo bp $dense --box-after 1 --box-drift 0.01 --box-model learned"
  "ff-analog|--preset quick $dense $chip"
  "bp-analog|--preset quick --algo bp $dense $chip"
  "ff-conv-cwc|--preset mnist-conv-quick --layers 10,20 --pool-after 1 --goodness-layers 1,2 --softmax-layers 2 --train-subset 600"
  "ff-conv-hard|--preset mnist-conv-quick --layers 10,20 --pool-after 1 --loss logistic --goodness-power 2 --goodness-layers 2 --softmax-layers 2 --train-subset 600"
  "ff-cifar-conv-cwc|--preset cifar-conv-quick --layers 10,20 --pool-after 1 --goodness-layers 1,2 --softmax-layers 2 --train-subset 300"
  "bp-conv|--preset mnist-conv-quick --algo bp --layers 10,20 --pool-after 1 --train-subset 600"
)
for entry in "${configs[@]}"; do
  name=${entry%%|*}; args=${entry#*|}
  if [[ -n $only && ! $name =~ $only ]]; then continue; fi
  rm -rf "$out/$name"
  (cd "$tree" && timeout 900 npx tsx src/cli/main.ts train $args $small --out "$out/$name" > "$out/$name.log" 2>&1) || { echo "FAILED $name (see $out/$name.log)"; continue; }
  (cd "$here" && npx tsx scripts/run-fingerprint.ts "$out/$name") | sed "s#$out/##"
done
