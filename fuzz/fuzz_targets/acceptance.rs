//! Differential acceptance against wit-component (the generator and the
//! comparison of component/tests/acceptance.rs): on a generated preview1
//! module, mmadapt makes a valid component wherever wit-component with the
//! standard adapter makes one, and refuses with one line wherever it
//! refuses; never a panic.
//!
//! The built-in adapters are the CLI's (`mmadapt-adapter-provider`).
#![no_main]

// The verdicts' details are for the property test's tallies.
#[allow(dead_code)]
#[path = "../../component/tests/common/acceptance.rs"]
mod acceptance;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use mmadapt_component::Variant;

/// The built-in adapters as the encoder asks for them.
fn builtin(variant: Variant) -> &'static [u8] {
    match variant {
        Variant::Command => mmadapt_adapter_provider::COMMAND_ADAPTER,
        Variant::Reactor => mmadapt_adapter_provider::REACTOR_ADAPTER,
        Variant::Proxy => mmadapt_adapter_provider::PROXY_ADAPTER,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(case) = acceptance::case(&mut Unstructured::new(data)) else {
        return;
    };
    if let Err(mismatch) = acceptance::check(&case.main, builtin) {
        panic!("{:?}: {mismatch}", case.shape);
    }
});
