//! Differential fuzzing of preview1 call sequences (docs/robustness.md,
//! "Differential fuzzing"): libFuzzer's bytes drive the generator of the
//! property test `e2e/tests/differential.rs` (`p1script::generate`), and the
//! case runs natively and as the integrity-check component; any divergence
//! is a crash, printed with the case in the text form of
//! `e2e/tests/differential/*.case` (replay it with `cargo run -p
//! mmadapt-e2e --example differential-case -- FILE`).
//!
//! The e2e files are included by path (this crate does not depend on the
//! CLI: see Cargo.toml). The interpreter module and its component come from
//! `$MMADAPT_FUZZ_DIFFERENTIAL` (default `fuzz/differential/`), written by
//! `cargo run -p mmadapt-e2e --example differential-case -- --artifacts fuzz/differential`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "../../e2e/src/inputs.rs"]
#[allow(dead_code)]
mod inputs;

#[path = "../../e2e/src/outcome.rs"]
#[allow(dead_code)]
mod outcome;

#[path = "../../e2e/src/watchdog.rs"]
#[allow(dead_code)]
mod watchdog;

#[path = "../../e2e/src/native.rs"]
#[allow(dead_code)]
mod native;

#[path = "../../e2e/src/component.rs"]
#[allow(dead_code)]
mod component;

#[path = "../../e2e/src/p1script.rs"]
#[allow(dead_code)]
mod p1script;

#[path = "../../e2e/src/differential.rs"]
#[allow(dead_code)]
mod differential;

struct Subjects {
    native: differential::Native,
    component: differential::Componentized,
}

fn subjects() -> &'static Subjects {
    static S: OnceLock<Subjects> = OnceLock::new();
    S.get_or_init(|| {
        let dir = std::env::var("MMADAPT_FUZZ_DIFFERENTIAL").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/differential").to_string()
        });
        let read = |name: &str| {
            let path = std::path::Path::new(&dir).join(name);
            std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (write it with `cargo run -p mmadapt-e2e --example differential-case -- --artifacts {dir}`)",
                    path.display()
                )
            })
        };
        Subjects {
            native: differential::Native::new(&read("p1fuzz.wasm"), None).unwrap(),
            component: differential::Componentized::new(&read("p1fuzz.integrity.wasm")).unwrap(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = subjects();
    let case = p1script::generate(&mut arbitrary::Unstructured::new(data));
    if let Some(d) = differential::check(&s.native, &s.component, &case).unwrap() {
        panic!("divergence: {d}\n{}", case.to_text());
    }
});
