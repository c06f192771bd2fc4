#!/usr/bin/env bash
# Build the demo database from sample_data/: init, load every file, classify every month.
set -euo pipefail
db="${1:-data/demo/assortment.duckdb}"
bin=.venv/bin
rm -rf "$(dirname "$db")"
export ASSORTMENT_DB="$db"
$bin/assortment init
$bin/assortment load products sample_data/products.csv
$bin/assortment load locations sample_data/locations.csv
$bin/assortment load stock sample_data/stock/*
$bin/assortment load sales sample_data/sales/*
$bin/assortment classify --all-months
$bin/assortment status
