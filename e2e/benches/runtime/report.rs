//! Medians, ratios, the printed table and the JSON file.

use serde_json::{json, Value};

pub use mmadapt_e2e::bench::median;

/// One printed and saved row: a median per variant, lower is better.
pub struct Row {
    pub name: String,
    pub what: String,
    pub unit: &'static str,
    pub native: f64,
    pub standard: f64,
    pub mmadapt: f64,
    /// mmadapt/standard within each round (the spread says how much of a
    /// ratio near 1 is noise).
    pub round_ratios: Vec<f64>,
    /// Extra figures for the JSON (samples, throughput).
    pub extra: Value,
}

impl Row {
    pub fn vs_standard(&self) -> f64 {
        self.mmadapt / self.standard
    }
    pub fn vs_native(&self) -> f64 {
        self.mmadapt / self.native
    }
    /// Lowest and highest per-round mmadapt/standard.
    pub fn spread(&self) -> (f64, f64) {
        let lo = self
            .round_ratios
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .round_ratios
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    }
}

/// `a[i] / b[i]` for every round.
pub fn per_round(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x / y).collect()
}

pub fn print(rows: &[Row]) {
    println!(
        "{:<14} {:>12} {:>12} {:>12} {:>9} {:>15} {:>9}  unit",
        "row", "native", "standard", "mmadapt", "mm/std", "(round min-max)", "mm/nat"
    );
    for r in rows {
        let (lo, hi) = r.spread();
        println!(
            "{:<14} {:>12.1} {:>12.1} {:>12.1} {:>9.3} {:>15} {:>9.3}  {}",
            r.name,
            r.native,
            r.standard,
            r.mmadapt,
            r.vs_standard(),
            format!("{lo:.2}-{hi:.2}"),
            r.vs_native(),
            r.unit
        );
    }
}

pub fn json(rows: &[Row], machine: Value, rounds: usize, sizes: Value) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "row": r.name,
                "what": r.what,
                "unit": r.unit,
                "median": { "native": r.native, "standard": r.standard, "mmadapt": r.mmadapt },
                "ratio": { "mmadapt/standard": r.vs_standard(), "mmadapt/native": r.vs_native() },
                "mmadapt/standard_per_round": r.round_ratios,
                "detail": r.extra,
            })
        })
        .collect();
    json!({
        "benchmark": "mmadapt runtime: native preview1, standard adapter, mmadapt",
        "machine": machine,
        "rounds": rounds,
        "rows": rows,
        "sizes_bytes": sizes,
    })
}

/// The machine, for the JSON ([`mmadapt_e2e::machine`]).
pub fn machine() -> Value {
    mmadapt_e2e::machine()
}

/// This process's resident set, in bytes (Linux).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
