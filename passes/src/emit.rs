//! Emitting a module without losing its custom sections.
//!
//! walrus's `Module::emit_wasm` moves the custom sections out of the module
//! and does not put them back, so a second emit (the verifier emits after
//! every pass) would drop them: `component-type:*` (which wit-component needs
//! from an adapter), `target_features`, anything a producer added. This emits
//! and then restores them.

use walrus::{IdsToIndices, Module, RawCustomSection};

/// Emits `module`, keeping its custom sections in it for later emits.
pub fn emit(module: &mut Module) -> Vec<u8> {
    let indices = IdsToIndices::default();
    let saved: Vec<RawCustomSection> = module
        .customs
        .iter()
        .map(|(_, s)| RawCustomSection {
            name: s.name().to_string(),
            data: s.data(&indices).into_owned(),
        })
        .collect();
    let bytes = module.emit_wasm();
    for section in saved {
        module.customs.add(section);
    }
    bytes
}

#[cfg(test)]
mod tests {
    #[test]
    fn custom_sections_survive_the_split() {
        let wasm = wat::parse_str(
            r#"(module (memory 1) (func (export "f"))
                 (@custom "component-type:x" "hello")
                 (@custom "target_features" "\00"))"#,
        )
        .unwrap();
        let split = crate::split_bytes(&wasm).unwrap();
        let mut names = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&split.bytes) {
            if let wasmparser::Payload::CustomSection(c) = payload.unwrap() {
                names.push((c.name().to_string(), c.data().to_vec()));
            }
        }
        assert!(
            names.contains(&("component-type:x".into(), b"hello".to_vec())),
            "{names:?}"
        );
        assert!(
            names.iter().any(|(n, _)| n == "target_features"),
            "{names:?}"
        );
    }
}
