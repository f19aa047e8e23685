//! `component new` on generated wasip1-shaped modules (the generator of
//! cli/tests/properties.rs): an error or a component that validates, never a
//! panic.
//!
//! This is `mmadapt::componentize` without the CLI crate (see Cargo.toml):
//! the same variant choice and `mmadapt_component::assemble` call, with the
//! built-in adapters from `fuzz/adapters/{command,reactor}.wasm`, written by
//! `mmadapt adapter -o fuzz/adapters/command.wasm` and
//! `mmadapt adapter --reactor -o fuzz/adapters/reactor.wasm`.
#![no_main]

#[path = "../../cli/tests/common/wasip1.rs"]
mod wasip1;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
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

fn exports_start(main: &[u8]) -> bool {
    wasmparser::Parser::new(0).parse_all(main).any(|p| match p {
        Ok(wasmparser::Payload::ExportSection(s)) => {
            s.into_iter().flatten().any(|e| e.name == "_start")
        }
        _ => false,
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(main) = wasip1::main_module(&mut Unstructured::new(data)) else {
        return;
    };
    let (command, reactor) = adapters();
    let adapter = if exports_start(&main) {
        command
    } else {
        reactor
    };
    let request = mmadapt_component::Request {
        main: &main,
        adapter,
        other_adapters: &[],
        validate: true,
        debug_names: false,
    };
    if let Ok(assembly) = mmadapt_component::assemble(&request) {
        let mut validator = wasmparser_component::Validator::new_with_features(
            wasmparser_component::WasmFeatures::all(),
        );
        if let Err(e) = validator.validate_all(&assembly.component) {
            panic!("component new produced an invalid component: {e}");
        }
    }
});
