//! A preview1 command that imports its memory as `env`.`memory` (what
//! `wasm-ld --import-memory` makes), made a component by mmadapt, runs on
//! wasmtime and prints what it writes (issue 19: wit-component accepts such
//! modules; mmadapt refused them).

use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::outcome::Exit;
use mmadapt_e2e::{adapters, component};

const HELLO: &str = include_str!("../../component/tests/fixtures/hello_imported_memory.wat");

#[test]
fn a_module_importing_its_memory_prints_hello() {
    let main = wat::parse_str(HELLO).unwrap();
    let bytes = adapters::mmadapt(&main).unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = component::run(&bytes, &Run::new("hello")).expect("component run");
    assert_eq!(String::from_utf8_lossy(&outcome.stdout), "hello\n");
    assert!(outcome.stderr.is_empty(), "{:?}", outcome.stderr);
    assert!(matches!(outcome.exit, Exit::Code(0)), "{:?}", outcome.exit);
}
