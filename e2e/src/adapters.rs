//! Making components out of wasip1 modules: with mmadapt, and with the
//! standard adapter (crate `wasi-preview1-component-adapter-provider`) the
//! way `wasm-tools component new --adapt` uses it.

use anyhow::Result;

/// The component mmadapt makes (the built-in command adapter).
pub fn mmadapt(main: &[u8]) -> Result<Vec<u8>> {
    mmadapt::componentize(
        main,
        &mmadapt::ComponentOptions {
            validate: true,
            ..Default::default()
        },
    )
}

/// The component the standard adapter makes.
pub fn standard(main: &[u8]) -> Result<Vec<u8>> {
    let adapter = wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER;
    mmadapt::componentize(
        main,
        &mmadapt::ComponentOptions {
            adapters: vec![("wasi_snapshot_preview1".into(), adapter.to_vec())],
            validate: true,
            ..Default::default()
        },
    )
}
