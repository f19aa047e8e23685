//! A main module that imports its memory as `env`.`memory` (what
//! `wasm-ld --import-memory` makes): wit-component defines that memory in
//! its shim and lowers the adapter's imports before instantiating the
//! adapter, so the private module is instantiated before the first of
//! those lowerings (issue 19; `e2e/tests/imported_memory.rs` runs it).

use mmadapt_component::Encoder;

const HELLO: &str = include_str!("fixtures/hello_imported_memory.wat");

fn encoder(single_module: bool) -> Encoder {
    let mut encoder = Encoder::with_builtin_adapters(mmadapt::adapter::adapter);
    encoder.single_module(single_module).validate(true);
    encoder
}

#[test]
fn a_module_importing_its_memory_makes_a_valid_component() {
    let main = wat::parse_str(HELLO).unwrap();
    let component = encoder(false).module(&main).unwrap().encode().unwrap();
    mmadapt_component::validate(&component).unwrap();
    // The same module with a `memory` export too (which is then not used).
    let exported = HELLO.replace(
        r#"(import "env" "memory" (memory 1))"#,
        r#"(import "env" "memory" (memory 1)) (export "memory" (memory 0))"#,
    );
    let main = wat::parse_str(&exported).unwrap();
    let component = encoder(false).module(&main).unwrap().encode().unwrap();
    mmadapt_component::validate(&component).unwrap();
}

#[test]
fn the_one_module_layout_refuses_it_in_one_line() {
    let main = wat::parse_str(HELLO).unwrap();
    let e = encoder(true).module(&main).unwrap().encode().unwrap_err();
    let e = format!("{e:#}");
    assert!(!e.contains('\n'), "{e}");
    assert!(e.contains("--single-module"), "{e}");
}

#[test]
fn an_imported_memory_of_the_wrong_kind_is_refused() {
    let shared = HELLO.replace("(memory 1)", "(memory 1 2 shared)");
    let main = wat::parse_str(&shared).unwrap();
    let e = encoder(false).module(&main).unwrap().encode().unwrap_err();
    assert!(format!("{e:#}").contains("shared"), "{e:#}");
}
