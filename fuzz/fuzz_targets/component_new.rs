//! `component new` on generated wasip1-shaped modules (the generator of
//! cli/tests/properties.rs): an error or a component that validates, never a
//! panic.
//!
//! This is `mmadapt::ComponentEncoder` without the CLI crate: the same
//! entry point, `mmadapt_component::Encoder`, with the built-in adapters
//! the CLI embeds (`mmadapt-adapter-provider`).
#![no_main]

#[path = "../../cli/tests/common/wasip1.rs"]
mod wasip1;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use mmadapt_component::{Encoder, Variant};

/// The built-in adapters as the encoder asks for them.
fn builtin(variant: Variant) -> &'static [u8] {
    match variant {
        Variant::Command => mmadapt_adapter_provider::COMMAND_ADAPTER,
        Variant::Reactor => mmadapt_adapter_provider::REACTOR_ADAPTER,
        // Generated modules embed no WIT world, so never a handler.
        Variant::Proxy => unreachable!("no generated module is an HTTP handler"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(main) = wasip1::main_module(&mut Unstructured::new(data)) else {
        return;
    };
    let mut encoder = Encoder::with_builtin_adapters(builtin);
    encoder.validate(true);
    if encoder.module(&main).is_err() {
        return;
    }
    if let Ok(component) = encoder.encode() {
        if let Err(e) = mmadapt_component::validate(&component) {
            panic!("component new produced an invalid component: {e:#}");
        }
    }
});
