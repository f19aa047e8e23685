//! The runtime benchmark's rows on a JS host: the same `bench` guest as a
//! component made by the standard adapter and by mmadapt, both transpiled
//! by jco's default path (`jco transpile`, no flags) and run on the
//! machine's Node 20 with jco's WASI shim, alternating over several rounds.
//! The guest times its own loop (the `ns=` line it prints), so Node's
//! start and the instantiation are not in the figures. Prints the medians
//! and the ratio mmadapt/standard per row, and writes them as JSON.
//!
//! `cargo bench -p mmadapt-e2e --bench jco [-- --rounds N] [--json PATH] [--only ROW,...]`
//!
//! Where mmadapt is slower, the time goes to the JS helpers jco's default
//! path calls for every access to the memory it does not keep native (the
//! adapter's private memory; README, Hosts).

#[path = "runtime/options.rs"]
mod options;
#[path = "runtime/workloads.rs"]
#[allow(dead_code)]
mod workloads;

use anyhow::{bail, Context, Result};
use mmadapt_e2e::inputs::{Preopen, Run};
use mmadapt_e2e::jco::{run_on, JsHost};
use serde_json::json;
use workloads::WORKLOADS;

/// The preopen `/bench` a row needs (the runtime bench's fixture, cut to
/// what the row touches: it is written afresh for every run).
fn preopen(row: &str) -> Preopen {
    let p = Preopen::new("/bench");
    match row {
        "read-64m" => {
            let mut data = vec![0u8; 64 << 20];
            let mut x = 0x2545_f491_4f6c_dd1du64;
            for b in data.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            p.file("data.bin", data)
        }
        "open-close" | "filestat" => p.file("data.bin", vec![7u8; 4096]),
        "readdir-1000" => (0..1000).fold(p.dir("dir1000"), |p, i| {
            p.file(format!("dir1000/entry-{i:04}"), Vec::new())
        }),
        _ => p,
    }
}

fn main() -> Result<()> {
    let opts = options::parse(5, "jco.json")?;
    let module = mmadapt_e2e::programs::rust_bin("bench")?;
    let variants = [
        ("standard", mmadapt_e2e::adapters::standard(&module)?),
        ("mmadapt", mmadapt_e2e::adapters::mmadapt(&module)?),
    ];
    let env = workloads::env();
    let machine = mmadapt_e2e::machine();
    println!("machine: {machine}");
    println!(
        "host: jco transpile (no flags), node {}; rounds: {}, order alternating",
        node_version(),
        opts.rounds
    );
    let rows: Vec<_> = WORKLOADS.iter().filter(|w| opts.wanted(w.name)).collect();
    let run_of = |name: &str, iterations: u64| {
        let mut run = Run::new("bench").args(workloads::args(name, iterations).into_iter().skip(1));
        run.preopens.clear();
        run = run.preopen(preopen(name));
        for (k, v) in &env {
            run = run.env(k, v);
        }
        run.timeout = std::time::Duration::from_secs(600);
        run
    };
    // Untimed: transpile both, warm the page cache.
    for (_, wasm) in &variants {
        for w in &rows {
            run_on(JsHost::Default, wasm, &run_of(w.name, 1))?;
        }
    }
    let mut samples = vec![[Vec::new(), Vec::new()]; rows.len()];
    for round in 0..opts.rounds {
        for (i, w) in rows.iter().enumerate() {
            for k in 0..2 {
                let v = (k + round) % 2;
                let out = run_on(
                    JsHost::Default,
                    &variants[v].1,
                    &run_of(w.name, w.iterations),
                )
                .with_context(|| format!("{} as {}", w.name, variants[v].0))?;
                if out.exit.code() != Some(0) {
                    bail!(
                        "{} as {}: {:?}\n{}",
                        w.name,
                        variants[v].0,
                        out.exit,
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                samples[i][v].push(workloads::parse_ns(&out.stderr_str())? / w.iterations as f64);
            }
        }
        eprintln!("round {}/{} done", round + 1, opts.rounds);
    }
    println!(
        "{:<14} {:>14} {:>14} {:>8}",
        "row", "standard ns/op", "mmadapt ns/op", "ratio"
    );
    let mut report = Vec::new();
    for (i, w) in rows.iter().enumerate() {
        let [s, m] = samples[i].clone().map(mmadapt_e2e::bench::median);
        println!("{:<14} {:>14.0} {:>14.0} {:>8.3}", w.name, s, m, m / s);
        report.push(json!({
            "row": w.name, "what": w.what, "iterations_per_run": w.iterations,
            "standard_ns_per_op": s, "mmadapt_ns_per_op": m, "ratio": m / s,
            "samples_ns_per_op": { "standard": samples[i][0], "mmadapt": samples[i][1] },
        }));
    }
    if let Some(dir) = opts.json.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(
        &opts.json,
        serde_json::to_string_pretty(&json!({
            "machine": machine, "host": "jco transpile (no flags) + node", "node": node_version(),
            "rounds": opts.rounds, "rows": report,
        }))?,
    )?;
    println!("json: {}", opts.json.display());
    Ok(())
}

fn node_version() -> String {
    std::process::Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}
