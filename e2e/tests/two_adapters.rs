//! Two split adapters in one component: the built-in preview1 one and an
//! adapter for another import module (`counter`), each with its own private
//! memory. `counter` keeps a count in its memory and calls a WIT import that
//! returns a string; the lowering must write that string into *its* private
//! memory, with its realloc. Built with `mmadapt::ComponentEncoder` and run
//! on wasmtime.

mod common;

use anyhow::Result;
use mmadapt_e2e::inputs::Run;
use std::collections::BTreeSet;
use wasmparser_component::{ExternalKind, Parser, Payload};
use wasmtime::component::Component;

const WIT: &str = "
package my:test;
interface host {
  name: func() -> string;
}
world counter {
  import host;
}
";

/// `bump()`: adds one to the count at address 16 of its own memory, asks
/// the host for its name (the lowering writes pointer and length at 32),
/// and returns `count * 10 + len` and, in the hundreds, the name's first
/// byte minus 'a'.
const COUNTER: &str = r#"
(module
  (import "my:test/host" "name" (func $name (param i32)))
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  (func (export "cabi_import_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get 3)))
    (local.get $p))
  (func (export "bump") (result i32)
    (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
    (call $name (i32.const 32))
    (i32.add
      (i32.mul (i32.sub (i32.load8_u (i32.load (i32.const 32))) (i32.const 97)) (i32.const 100))
      (i32.add
        (i32.mul (i32.load (i32.const 16)) (i32.const 10))
        (i32.load (i32.const 36))))))
"#;

/// A command: calls `counter.bump` twice and prints both results as three
/// digits each through preview1's `fd_write`.
const MAIN: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "counter" "bump" (func $bump (result i32)))
  (memory (export "memory") 1)
  (func $digits (param $at i32) (param $v i32)
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $v) (i32.const 100))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1))
      (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $v) (i32.const 10)) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 2))
      (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))
  (func (export "_start")
    (call $digits (i32.const 100) (call $bump))
    (i32.store8 (i32.const 103) (i32.const 32))
    (call $digits (i32.const 104) (call $bump))
    (i32.store8 (i32.const 107) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

fn counter_adapter() -> Result<Vec<u8>> {
    common::split_wat_adapter(COUNTER, "counter.wit", WIT, "counter")
}

/// The core memories each core module of the component defines, and how
/// many memories it aliases as `mmadapt:private-memory`.
fn memories(component: &[u8]) -> Result<(Vec<u32>, usize)> {
    let mut defined = Vec::new();
    let mut private_aliases = 0;
    for payload in Parser::new(0).parse_all(component) {
        match payload? {
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let module =
                    &component[unchecked_range.start as usize..unchecked_range.end as usize];
                let mut n = 0;
                for p in Parser::new(0).parse_all(module) {
                    if let Payload::MemorySection(s) = p? {
                        n += s.count();
                    }
                }
                defined.push(n);
            }
            Payload::ComponentAliasSection(s) => {
                for a in s {
                    if let wasmparser_component::ComponentAlias::CoreInstanceExport {
                        kind: ExternalKind::Memory,
                        name,
                        ..
                    } = a?
                    {
                        // Each private module's memory (the adapters
                        // import it from there).
                        private_aliases += usize::from(name == mmadapt_passes::PRIVATE_MEMORY);
                    }
                }
            }
            _ => {}
        }
    }
    Ok((defined, private_aliases))
}

#[test]
fn two_split_adapters_each_keep_their_own_private_memory() -> Result<()> {
    let main = wat::parse_str(MAIN)?;
    let counter = counter_adapter()?;

    let mut encoder = mmadapt::ComponentEncoder::default();
    encoder
        .validate(true)
        .module(&main)?
        .adapter("counter", &counter)?;
    let component = encoder.encode()?;

    // Both adapters' private memories are defined by private modules of
    // their own, and the component aliases the two.
    let (defined, private_aliases) = memories(&component)?;
    assert_eq!(
        private_aliases, 2,
        "memories defined per module: {defined:?}"
    );

    // Run it: the host's name is "abc", so each bump returns
    // count * 10 + 3, plus 0 in the hundreds ('a' - 'a').
    let wasm = component.clone();
    let run = Run::new("two-adapters");
    let engine = mmadapt_e2e::native::engine();
    let component = Component::new(engine, &wasm)?;
    let (mut store, mut linker, capture) = mmadapt_e2e::component::store_and_linker(&run)?;
    linker
        .instance("my:test/host")?
        .func_wrap("name", |_, (): ()| Ok(("abc".to_string(),)))?;
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker)?;
    let exit =
        mmadapt_e2e::outcome::Exit::from_run_result(command.wasi_cli_run().call_run(&mut store));
    drop(store);
    let outcome = capture.finish(exit)?;
    assert_eq!(outcome.stdout_str(), "013 023\n");

    // The imports are WASI's and the counter's host interface, nothing else.
    let imports: BTreeSet<String> = mmadapt_component::world::component_imports(&wasm)?
        .into_iter()
        .collect();
    assert!(imports.contains("my:test/host"), "{imports:?}");
    Ok(())
}
