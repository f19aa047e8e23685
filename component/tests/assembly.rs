//! The component assembly's liveness (which imports each adapter export
//! keeps) against walrus's GC, which cuts the real adapter: for the built-in
//! adapters they must agree exactly, or the stand-in would make the component
//! import too much (or too little) of WASI. And which lowerings write to
//! which memory in the assembled component.
//!
//! Both are facts about the built-in adapters, which the CLI crate embeds
//! (from `mmadapt-adapter-provider`), so these tests take them from it
//! through a dev-dependency and otherwise call this crate's own entry point,
//! not the CLI's.

mod common;

use common::encode;
use mmadapt::adapter::{adapter, Variant};
use mmadapt_component::module_facts::import_keys;
use mmadapt_component::trim::{export_reach, trim};
use std::collections::BTreeSet;

#[test]
fn export_reach_equals_walrus_gc_per_export() {
    for variant in [Variant::Command, Variant::Reactor, Variant::Proxy] {
        let split = adapter(variant);
        let reach = export_reach(split).unwrap();
        assert!(reach.len() >= 46, "{variant:?}: {} exports", reach.len());
        for r in &reach {
            let keep: BTreeSet<String> = [r.name.clone()].into();
            let (trimmed, _) = trim(split, &keep, false, false).unwrap();
            assert_eq!(
                import_keys(&trimmed).unwrap(),
                r.imports,
                "{variant:?}: export `{}`",
                r.name
            );
        }
    }
}

/// The core memory each `canon lower` of `component` writes to.
fn lowering_memories(component: &[u8]) -> Vec<u32> {
    use wasmparser_component::{CanonicalFunction, CanonicalOption, Parser, Payload};
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(component) {
        if let Payload::ComponentCanonicalSection(s) = payload.unwrap() {
            for f in s {
                if let CanonicalFunction::Lower { options, .. } = f.unwrap() {
                    out.extend(options.iter().find_map(|o| match o {
                        CanonicalOption::Memory(m) => Some(*m),
                        _ => None,
                    }));
                }
            }
        }
    }
    out
}

fn component_of(imports: &str) -> Vec<u8> {
    let wat = format!(
        r#"(module {imports}
             (memory (export "memory") 1)
             (func (export "_start")))"#
    );
    encode(&wat::parse_str(&wat).unwrap(), false).unwrap()
}

/// Exactly the bulk-data imports (`descriptor.read`, `descriptor.write`,
/// `get-random-bytes`) get a second lowering into the main memory (core memory 0, the first
/// aliased); every other lowering writes to the private memory.
#[test]
fn only_bulk_file_io_is_lowered_into_the_main_memory() {
    let both = component_of(
        r#"(import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
           (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))"#,
    );
    let memories = lowering_memories(&both);
    let main = memories.iter().filter(|m| **m == 0).count();
    assert_eq!(main, 3, "lowerings by memory: {memories:?}");
    assert!(memories.len() > 2 && memories.iter().all(|m| *m <= 1));

    // No file I/O: no second lowering, no fixup.
    let clock = component_of(
        r#"(import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))"#,
    );
    let memories = lowering_memories(&clock);
    assert!(
        !memories.is_empty() && !memories.contains(&0),
        "{memories:?}"
    );
}
