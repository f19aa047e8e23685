//! End-to-end harness of mmadapt.
//!
//! - [`programs`]: builds the guest programs of `tests/programs/` (Rust, C,
//!   Go, AssemblyScript) into wasip1 modules, cached under the target
//!   directory.
//! - [`inputs`]: what a test runs ([`inputs::Run`]), shared by every runner.
//! - [`outcome`]: what came out of a run ([`outcome::Outcome`]), the same
//!   for every runner, and how two outcomes differ.
//! - [`watchdog`]: interrupts a run at its timeout.
//! - [`native`]: runs a wasip1 module on wasmtime's native preview1, the
//!   reference behaviour.
//! - [`component`]: runs a WASI 0.2 command component with the same inputs.
//! - [`adapters`]: components from mmadapt and from the standard adapter.
//! - [`standard_inputs`]: the standard [`inputs::Run`] of each program, for
//!   every runner.
//! - [`serve`]: `wasmtime serve` as a host for proxy components.
//! - [`self_hosted`]: mmadapt's CLI built for wasm32-wasip1 as a component,
//!   and its commands with the native CLI's outcomes.
//! - [`jco`]: the same command components transpiled by jco and run on Node
//!   (jco's default path on Node 20, `--multi-memory` on Node 26, `jco run`).
//! - [`browser`]: the same in headless Chromium, on the shim's browser build.
//! - [`bench`]: the benchmarks' shared report helpers (machine, median).
//! - [`p1script`], [`differential`]: the differential fuzzer's scripts of
//!   preview1 calls and its native-versus-component comparison.

pub mod adapters;
pub mod bench;
pub mod browser;
pub mod component;
pub mod differential;
pub mod inputs;
pub mod jco;
pub use bench::machine;
pub mod native;
pub mod outcome;
pub mod p1script;
pub mod programs;
pub mod self_hosted;
pub mod serve;
pub mod standard_inputs;
pub mod watchdog;
