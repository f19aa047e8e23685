//! `component new` on generated wasip1-shaped modules (the generator of
//! cli/tests/properties.rs): an error or a component that validates, never a
//! panic.
//!
//! This is `mmadapt::ComponentEncoder` without the CLI crate (see
//! Cargo.toml): the same entry point, `mmadapt_component::Encoder`, with the
//! built-in adapters from `fuzz/adapters/{command,reactor}.wasm`, written by
//! `mmadapt adapter -o fuzz/adapters/command.wasm` and
//! `mmadapt adapter --reactor -o fuzz/adapters/reactor.wasm`.
#![no_main]

#[path = "../../cli/tests/common/wasip1.rs"]
mod wasip1;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use mmadapt_component::{Encoder, Variant};
use std::sync::OnceLock;

fn adapter(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/adapters/");
    std::fs::read(format!("{path}{name}.wasm")).unwrap_or_else(|e| {
        panic!("{path}{name}.wasm: {e} (write it with `mmadapt adapter`, see this file's doc)")
    })
}

fn adapters() -> &'static (Vec<u8>, Vec<u8>) {
    static ADAPTERS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    ADAPTERS.get_or_init(|| (adapter("command"), adapter("reactor")))
}

/// The built-in adapters as the encoder asks for them.
fn builtin(variant: Variant) -> &'static [u8] {
    match variant {
        Variant::Command => &adapters().0,
        Variant::Reactor => &adapters().1,
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
