#!/bin/sh
# Builds the -O3 + fat-LTO test module; prints the path of the .wasm.
set -eu
cd "$(dirname "$0")"
cargo build --release --target wasm32-unknown-unknown
echo "$(pwd)/target/wasm32-unknown-unknown/release/markers_o3.wasm"
