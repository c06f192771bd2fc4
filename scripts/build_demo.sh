#!/usr/bin/env bash
# Build the demo database from sample_data/: init, load every file, classify every month.
# The demo is built in a temporary folder beside it and swapped into place only when complete,
# so an interrupted build never leaves a half-loaded demo that `make run` would then keep.
set -euo pipefail
db="${1:-data/demo/assortment.duckdb}"
bin=.venv/bin
dir="$(dirname "$db")"
tmp="$dir.tmp-$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$(dirname "$dir")"
export ASSORTMENT_DB="$tmp/$(basename "$db")"
$bin/assortment init
$bin/assortment load products sample_data/products.csv
$bin/assortment load locations sample_data/locations.csv
$bin/assortment load stock sample_data/stock/*
$bin/assortment load sales sample_data/sales/*
$bin/assortment classify --all-months
$bin/assortment status
rm -rf "$dir"
mv "$tmp" "$dir"
