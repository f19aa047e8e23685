//! Runtime benchmark: the same wasip1 workloads run three ways in one
//! process — wasmtime's native preview1, the standard adapter's component,
//! mmadapt's component — interleaved over several rounds (the variant order
//! rotates every round), so that the machine's noise falls on all three
//! alike. Prints the medians and the ratios mmadapt/standard and
//! mmadapt/native, and writes them as JSON.
//!
//! `cargo bench -p mmadapt-e2e --bench runtime [-- --rounds N] [--json PATH] [--only ROW,...]`
//!
//! The guest is `tests/programs/rust/src/bin/bench.rs`: each run times its
//! own loop with the monotonic clock (setup and instantiation excluded).
//! The `hello` row times instantiate + run on the host instead, and the
//! `hello-rss` row keeps instances alive and divides the growth of the
//! process's resident set by their number.

mod options;
mod report;
mod runners;
mod workloads;

use anyhow::{Context, Result};
use report::{median, Row};
use runners::{Runners, Variant};
use serde_json::json;
use workloads::{parse_ns, WORKLOADS};

/// The preopen every run shares: a 64 MiB file and a directory of 1000
/// empty files (the write row adds `out.bin`).
fn fixture() -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("mmadapt-bench-")
        .tempdir()?;
    let mut data = vec![0u8; 64 << 20];
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for b in data.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(dir.path().join("data.bin"), &data)?;
    let d = dir.path().join("dir1000");
    std::fs::create_dir(&d)?;
    for i in 0..1000 {
        std::fs::write(d.join(format!("entry-{i:04}")), b"")?;
    }
    Ok(dir)
}

/// The variants in this round's order: rotated so none always goes first.
fn order(round: usize) -> [Variant; 3] {
    let mut v = Variant::ALL;
    v.rotate_left(round % 3);
    v
}

fn main() -> Result<()> {
    let opts = options::parse(7, "runtime.json")?;
    let module = mmadapt_e2e::programs::rust_bin("bench")?;
    let standard = mmadapt_e2e::adapters::standard(&module)?;
    let mmadapt = mmadapt_e2e::adapters::mmadapt(&module)?;
    let fixture = fixture()?;
    let runners = Runners::new(&module, &standard, &mmadapt, fixture.path())?;
    let env = workloads::env();
    let wanted = |name: &str| opts.wanted(name);
    let machine = report::machine();
    println!("machine: {machine}");
    println!("rounds: {}, variant order rotating", opts.rounds);

    let mut rows = Vec::new();
    // Per row, per variant: the samples of every round.
    let mut samples: Vec<[Vec<f64>; 3]> = WORKLOADS.iter().map(|_| Default::default()).collect();
    let mut hello: [Vec<f64>; 3] = Default::default();
    let mut hello_memory = [0usize; 3];
    let hello_args = workloads::args("hello", 0);
    // One untimed run of everything first: page cache, lazy host state.
    for v in Variant::ALL {
        for w in WORKLOADS.iter().filter(|w| wanted(w.name)) {
            runners.run(v, &workloads::args(w.name, 1), &env)?;
        }
    }
    for round in 0..opts.rounds {
        for (i, w) in WORKLOADS.iter().enumerate() {
            if !wanted(w.name) {
                continue;
            }
            for v in order(round) {
                let ran = runners
                    .run(v, &workloads::args(w.name, w.iterations), &env)
                    .with_context(|| format!("{} as {}", w.name, v.name()))?;
                samples[i][v as usize].push(parse_ns(&ran.stderr)? / w.iterations as f64);
            }
        }
        if wanted("hello") {
            for _ in 0..10 {
                for v in order(round) {
                    let ran = runners.run(v, &hello_args, &[])?;
                    hello[v as usize].push(ran.wall.as_secs_f64() * 1e6);
                    hello_memory[v as usize] = ran.linear_memory;
                }
            }
        }
        eprintln!("round {}/{} done", round + 1, opts.rounds);
    }
    for (i, w) in WORKLOADS.iter().enumerate() {
        if !wanted(w.name) {
            continue;
        }
        let [n, s, m] = samples[i].clone().map(median);
        let mut extra =
            json!({ "iterations_per_run": w.iterations, "samples_ns_per_op": samples[i] });
        if w.bytes > 0 {
            let mibs = |ns: f64| w.bytes as f64 / (1 << 20) as f64 / (ns / 1e9);
            extra["mib_per_s"] =
                json!({ "native": mibs(n), "standard": mibs(s), "mmadapt": mibs(m) });
        }
        let (unit, scale) = if w.bytes > 0 {
            ("ms per 64 MiB", 1e-6)
        } else {
            ("ns per op", 1.0)
        };
        rows.push(Row {
            name: w.name.into(),
            what: w.what.into(),
            unit,
            native: n * scale,
            standard: s * scale,
            mmadapt: m * scale,
            round_ratios: report::per_round(&samples[i][2], &samples[i][1]),
            extra,
        });
    }
    if wanted("hello") {
        let [n, s, m] = hello.clone().map(median);
        rows.push(Row {
            name: "hello".into(),
            what: "instantiate + run hello world".into(),
            unit: "us",
            native: n,
            standard: s,
            mmadapt: m,
            // Ten runs per round: compare the rounds' medians.
            round_ratios: report::per_round(
                &hello[2].chunks(10).map(|c| median(c.to_vec())).collect::<Vec<_>>(),
                &hello[1].chunks(10).map(|c| median(c.to_vec())).collect::<Vec<_>>(),
            ),
            extra: json!({ "linear_memory_bytes": {
                "native": hello_memory[0], "standard": hello_memory[1], "mmadapt": hello_memory[2] } }),
        });
    }
    if wanted("hello-rss") {
        rows.push(resident_row(&runners, &hello_args, opts.rounds)?);
    }
    report::print(&rows);
    let sizes = json!({
        "module": module.len(),
        "component": { "standard": standard.len(), "mmadapt": mmadapt.len() },
        "adapter_core_module": {
            "standard": wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER.len(),
            "mmadapt": mmadapt::adapter::adapter(mmadapt::Variant::Command).len(),
        },
    });
    println!("sizes (bytes): {sizes}");
    let out = report::json(&rows, machine, opts.rounds, sizes);
    if let Some(dir) = opts.json.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = opts.json.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(&out)?)?;
    std::fs::rename(&tmp, &opts.json)?;
    println!("wrote {}", opts.json.display());
    Ok(())
}

/// Resident memory per live hello-world instance: the growth of the
/// process's resident set over 32 instances kept alive, divided by 32, in
/// KiB; each variant once per round, in rotating order.
fn resident_row(runners: &Runners, args: &[String], rounds: usize) -> Result<Row> {
    const LIVE: usize = 32;
    let mut kib: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds {
        for v in order(round) {
            let before = report::resident_bytes().context("reading /proc/self/statm")?;
            let live = (0..LIVE)
                .map(|_| runners.live(v, args))
                .collect::<Result<Vec<_>>>()?;
            let after = report::resident_bytes().context("reading /proc/self/statm")?;
            drop(live);
            kib[v as usize].push(after.saturating_sub(before) as f64 / LIVE as f64 / 1024.0);
        }
    }
    let [n, s, m] = kib.clone().map(median);
    Ok(Row {
        name: "hello-rss".into(),
        what: "resident memory per live hello-world instance".into(),
        unit: "KiB",
        native: n,
        standard: s,
        mmadapt: m,
        round_ratios: report::per_round(&kib[2], &kib[1]),
        extra: json!({ "live_instances": LIVE, "samples_kib": kib }),
    })
}
