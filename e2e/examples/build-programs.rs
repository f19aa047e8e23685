//! Builds every guest program (or the ones named: rust, c, go,
//! assemblyscript) and prints how long each took and its size:
//!   cargo run -p mmadapt-e2e --example build-programs
use mmadapt_e2e::programs;
use std::time::Instant;

type Build = fn() -> anyhow::Result<Vec<u8>>;

fn main() {
    let all: [(&str, Build); 4] = [
        ("rust", programs::rust),
        ("c", programs::c),
        ("go", programs::go),
        ("assemblyscript", programs::assemblyscript),
    ];
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let mut failed = false;
    for (name, build) in all {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        let t = Instant::now();
        match build() {
            Ok(wasm) => println!("{name}: {} bytes in {:.1?}", wasm.len(), t.elapsed()),
            Err(e) => {
                println!("{name}: FAILED after {:.1?}: {e:#}", t.elapsed());
                failed = true;
            }
        }
    }
    std::process::exit(failed as i32);
}
