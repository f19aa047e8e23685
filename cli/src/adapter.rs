//! The adapters built into mmadapt: adapter-src, prebuilt and committed in
//! the `mmadapt-adapter-provider` crate (rebuilt and compared in CI).

use mmadapt_adapter_provider as provider;
pub use mmadapt_component::Variant;

/// The split (two-memory) adapter of a variant.
pub fn adapter(variant: Variant) -> &'static [u8] {
    match variant {
        Variant::Command => provider::COMMAND_ADAPTER,
        Variant::Reactor => provider::REACTOR_ADAPTER,
        Variant::Proxy => provider::PROXY_ADAPTER,
    }
}

/// The adapter before the split (one memory, with region markers), for
/// `mmadapt print --split` and for tests.
pub fn unsplit_adapter(variant: Variant) -> &'static [u8] {
    match variant {
        Variant::Command => provider::COMMAND_ADAPTER_UNSPLIT,
        Variant::Reactor => provider::REACTOR_ADAPTER_UNSPLIT,
        Variant::Proxy => provider::PROXY_ADAPTER_UNSPLIT,
    }
}
