//! `component new` on a Go module of over 10 MB: mmadapt (built-in adapter,
//! with the stand-in assembly and the rewrite) against wit-component with the
//! standard adapter (what `wasm-tools component new --adapt` does), in one
//! process, interleaved over several rounds. Prints each one's median and the
//! ratio of medians; the target is mmadapt/standard <= 1.5.
//!
//! `cargo bench -p mmadapt-e2e --bench component_new [-- ROUNDS]`

use std::time::{Duration, Instant};

fn standard(main: &[u8]) -> Vec<u8> {
    let adapter = wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER;
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder
        .validate(true)
        .module(main)
        .unwrap()
        .adapter("wasi_snapshot_preview1", adapter)
        .unwrap();
    encoder.encode().unwrap()
}

fn mmadapt(main: &[u8]) -> Vec<u8> {
    mmadapt_e2e::adapters::mmadapt(main).unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(9);
    let main = mmadapt_e2e::programs::go_big().unwrap_or_else(|e| panic!("{e:#}"));
    println!("input: tests/programs/go-big, {} bytes", main.len());
    // Warm up both (page cache, allocator, lazy statics).
    let (a, b) = (standard(&main), mmadapt(&main));
    println!(
        "outputs: standard {} bytes, mmadapt {} bytes",
        a.len(),
        b.len()
    );
    let (mut ts, mut tm) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(standard(&main));
        ts.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(mmadapt(&main));
        tm.push(t.elapsed());
    }
    let (ms, mm) = (median(ts), median(tm));
    println!(
        "standard adapter (wit-component): median {:.1} ms over {rounds} rounds",
        ms.as_secs_f64() * 1e3
    );
    println!(
        "mmadapt component new:             median {:.1} ms over {rounds} rounds",
        mm.as_secs_f64() * 1e3
    );
    println!(
        "ratio mmadapt/standard: {:.2}",
        mm.as_secs_f64() / ms.as_secs_f64()
    );
}
