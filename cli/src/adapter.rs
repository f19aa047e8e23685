//! The adapters built into mmadapt: adapter-src, compiled and split at build
//! time (cli/build.rs).

pub use mmadapt_component::Variant;

/// The split (two-memory) adapter of a variant.
pub fn adapter(variant: Variant) -> &'static [u8] {
    match variant {
        Variant::Command => include_bytes!(concat!(env!("OUT_DIR"), "/adapter-command.wasm")),
        Variant::Reactor => include_bytes!(concat!(env!("OUT_DIR"), "/adapter-reactor.wasm")),
        Variant::Proxy => include_bytes!(concat!(env!("OUT_DIR"), "/adapter-proxy.wasm")),
    }
}

/// The adapter before the split (one memory, with region markers), for
/// `mmadapt print --split` and for tests.
pub fn unsplit_adapter(variant: Variant) -> &'static [u8] {
    match variant {
        Variant::Command => {
            include_bytes!(concat!(env!("OUT_DIR"), "/adapter-command.unsplit.wasm"))
        }
        Variant::Reactor => {
            include_bytes!(concat!(env!("OUT_DIR"), "/adapter-reactor.unsplit.wasm"))
        }
        Variant::Proxy => {
            include_bytes!(concat!(env!("OUT_DIR"), "/adapter-proxy.unsplit.wasm"))
        }
    }
}
