//! Runs a WASI 0.2 command component on wasmtime and prints what it wrote
//! and its exit code (stdout and stderr are passed through):
//!   cargo run -p mmadapt-e2e --example run-component -- COMPONENT.wasm [ARGS...]
use mmadapt_e2e::{component, inputs::Run};
use std::io::Write;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: run-component COMPONENT.wasm [ARGS...]"))?;
    let bytes = std::fs::read(&path)?;
    let run = Run::new(path.clone()).args(args);
    let outcome = component::run(&bytes, &run)?;
    std::io::stdout().write_all(&outcome.stdout)?;
    std::io::stderr().write_all(&outcome.stderr)?;
    match outcome.exit.code() {
        Some(code) => std::process::exit(code),
        None => anyhow::bail!("{path}: {:?}", outcome.exit),
    }
}
