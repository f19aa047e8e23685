//! Regression tests for main modules whose exports do not have the types the
//! adapter imports them with. Found by the `component new` property test
//! (cli/tests/properties.rs): these were reported as "the assembled
//! component does not validate", and with validation off
//! (`--skip-validation`) became invalid components. Now `src/checks.rs`
//! names the problem.
//!
//! The adapter whose imports are checked is the built-in one, which the CLI
//! crate embeds: see tests/common.

mod common;

use common::encode;

fn error_of(wat: &str) -> String {
    let main = wat::parse_str(wat).unwrap();
    for validate in [true, false] {
        if encode(&main, validate).is_ok() {
            panic!("component new accepted (validate: {validate}):\n{wat}");
        }
    }
    format!("{:#}", encode(&main, false).unwrap_err())
}

const WRITE: &str =
    r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#;

#[test]
fn start_with_the_wrong_type() {
    let e = error_of(&format!(
        r#"(module {WRITE} (memory (export "memory") 1)
             (func (export "_start") (param i32) (result i32) local.get 0))"#
    ));
    assert_eq!(
        e,
        "the module exports `_start` with type (func (param i32) (result i32)); the adapter calls it as (func)"
    );
}

#[test]
fn start_with_a_type_in_a_recursion_group() {
    let e = error_of(&format!(
        r#"(module {WRITE} (memory (export "memory") 1)
             (rec (type $t (func)) (type (struct)))
             (func (export "_start") (type $t)))"#
    ));
    assert!(
        e.starts_with(
            "the module exports `_start` (function 1) with a type declared in a recursion group"
        ),
        "{e}"
    );
}

#[test]
fn memory_with_64_bit_addresses() {
    let e = error_of(&format!(
        r#"(module {WRITE} (memory (export "memory") i64 1) (func (export "_start")))"#
    ));
    assert_eq!(
        e,
        "the module's memory `memory` has 64-bit addresses; preview1 memories are 32-bit"
    );
}

#[test]
fn shared_memory() {
    let e = error_of(&format!(
        r#"(module {WRITE} (memory (export "memory") 1 1 shared) (func (export "_start")))"#
    ));
    assert_eq!(
        e,
        "the module's memory `memory` is shared; the adapter needs an unshared memory"
    );
}

/// A module that imports nothing from preview1 gets no adapter (wit-component
/// leaves it out), as with `wasm-tools component new`; this used to fail
/// with "expected exactly one core module shaped like the stand-in adapter,
/// found 0" (found by the property test).
#[test]
fn a_module_without_preview1_imports_needs_no_adapter() {
    for wat in [
        r#"(module (memory (export "memory") 1))"#,
        r#"(module (memory (export "memory") 1) (func (export "_start")))"#,
    ] {
        let main = wat::parse_str(wat).unwrap();
        let component = encode(&main, false).unwrap_or_else(|e| panic!("{wat}: {e:#}"));
        mmadapt_component::validate(&component).unwrap_or_else(|e| panic!("{wat}: {e:#}"));
    }
}
