//! The built-in adapters of mmadapt, prebuilt from `adapter-src/` by
//! `tools/regen-adapters` (through `mmadapt-build`) and committed, so that
//! building mmadapt needs neither a wasm target nor a nested cargo build.
//! CI rebuilds them from source and compares the bytes; `wasm/SHA256SUMS`
//! holds their hashes.
//!
//! The split adapters are what `mmadapt component new` uses; the unsplit
//! ones (one memory, region markers still in) are for `mmadapt print
//! --split` and tests.

/// The command adapter, split: exports `wasi:cli/run`, which calls `_start`.
pub const COMMAND_ADAPTER: &[u8] = include_bytes!("../wasm/command.wasm");
/// The reactor adapter, split.
pub const REACTOR_ADAPTER: &[u8] = include_bytes!("../wasm/reactor.wasm");
/// The adapter for the `wasi:http/proxy` world, split.
pub const PROXY_ADAPTER: &[u8] = include_bytes!("../wasm/proxy.wasm");

/// [`COMMAND_ADAPTER`] as compiled, before the split.
pub const COMMAND_ADAPTER_UNSPLIT: &[u8] = include_bytes!("../wasm/command.unsplit.wasm");
/// [`REACTOR_ADAPTER`] as compiled, before the split.
pub const REACTOR_ADAPTER_UNSPLIT: &[u8] = include_bytes!("../wasm/reactor.unsplit.wasm");
/// [`PROXY_ADAPTER`] as compiled, before the split.
pub const PROXY_ADAPTER_UNSPLIT: &[u8] = include_bytes!("../wasm/proxy.unsplit.wasm");
