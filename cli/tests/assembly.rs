//! The component assembly's liveness (which imports each adapter export
//! keeps) against walrus's GC, which cuts the real adapter: for the built-in
//! adapters they must agree exactly, or the stand-in would make the component
//! import too much (or too little) of WASI.

use mmadapt::adapter::{adapter, Variant};
use mmadapt_component::trim::{export_reach, trim};
use std::collections::BTreeSet;

fn imports(module: &[u8]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(s) = payload.unwrap() {
            for i in s.into_imports() {
                let i = i.unwrap();
                out.insert((i.module.to_string(), i.name.to_string()));
            }
        }
    }
    out
}

#[test]
fn export_reach_equals_walrus_gc_per_export() {
    for variant in [Variant::Command, Variant::Reactor] {
        let split = adapter(variant);
        let reach = export_reach(split).unwrap();
        assert!(reach.len() >= 46, "{variant:?}: {} exports", reach.len());
        for r in &reach {
            let keep: BTreeSet<String> = [r.name.clone()].into();
            let trimmed = trim(split, &keep).unwrap();
            assert_eq!(
                imports(&trimmed),
                r.imports,
                "{variant:?}: export `{}`",
                r.name
            );
        }
    }
}
