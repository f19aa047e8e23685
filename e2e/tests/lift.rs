//! An adapter export that the component lifts with memory options (here a
//! WIT export taking a `string`) must read its arguments from the adapter's
//! private memory, where its realloc put them: the assembly retargets the
//! lifting's `memory` as it retargets the lowerings'. Run on wasmtime: with
//! the main memory left in place, the adapter would read its own memory at
//! an address the string was never written to.

mod common;

use anyhow::Result;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

const WIT: &str = "
package my:test;
interface greet {
  hello: func(s: string) -> u32;
}
world adapter {
  export greet;
}
";

/// A preview1 adapter (one function) with its own memory and a bump realloc;
/// `hello` returns `1000 * len + first byte + 100 * last byte` of the
/// string it is given, read from its own memory.
const ADAPTER: &str = r#"
(module
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  (func (export "sched_yield") (result i32) (i32.const 0))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get 3)))
    (local.get $p))
  (func (export "my:test/greet#hello") (param $ptr i32) (param $len i32) (result i32)
    (i32.add
      (i32.add
        (i32.mul (local.get $len) (i32.const 1000))
        (i32.load8_u (local.get $ptr)))
      (i32.mul
        (i32.load8_u (i32.sub (i32.add (local.get $ptr) (local.get $len)) (i32.const 1)))
        (i32.const 100)))))
"#;

/// A reactor main module that imports the adapter's one preview1 function.
const MAIN: &str = r#"
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "this is the main memory"))
"#;

fn split_adapter() -> Result<Vec<u8>> {
    common::split_wat_adapter(ADAPTER, "greet.wit", WIT, "adapter")
}

#[test]
fn lifted_adapter_export_reads_the_private_memory() -> Result<()> {
    let main = wat::parse_str(MAIN)?;
    let adapter = split_adapter()?;
    let assembly = mmadapt_component::assemble(&mmadapt_component::Request {
        main: &main,
        adapters: &[(mmadapt_component::PREVIEW1.to_string(), adapter)],
        other_adapters: &[],
        validate: true,
        debug_names: false,
        wit: &Default::default(),
        private_module: true,
    })?;
    let plan = assembly.adapters[0]
        .plan
        .clone()
        .expect("the adapter is used");
    assert!(
        plan.targets.iter().any(|t| t.old_memory.is_some()),
        "the lifting of `hello` is retargeted: {:?}",
        plan.targets
    );

    let engine = Engine::default();
    let component = Component::new(&engine, &assembly.component)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    let greet = instance
        .get_export_index(&mut store, None, "my:test/greet")
        .expect("the component exports my:test/greet");
    let hello = instance
        .get_export_index(&mut store, Some(&greet), "hello")
        .expect("greet has hello");
    let hello = instance.get_typed_func::<(&str,), (u32,)>(&mut store, &hello)?;
    let (n,) = hello.call(&mut store, ("xyz",))?;
    assert_eq!(n, 3000 + u32::from(b'x') + 100 * u32::from(b'z'));
    Ok(())
}
