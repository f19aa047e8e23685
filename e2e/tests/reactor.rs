//! The reactor variant: a module without `_start` becomes a component
//! without `wasi:cli/run`, and its `_initialize` runs when the component is
//! instantiated, as it runs before anything else natively.

use mmadapt_e2e::inputs::Run;
use wasmtime::component::Component;

const REACTOR: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "initialized\n")
  (func (export "_initialize")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))"#;

#[test]
fn reactor_initialize_runs_at_instantiation() {
    let main = wat::parse_str(REACTOR).unwrap();
    let bytes = mmadapt::componentize(
        &main,
        &mmadapt::ComponentOptions {
            validate: true,
            ..Default::default()
        },
    )
    .unwrap();
    let engine = mmadapt_e2e::native::engine();
    let component = Component::new(engine, &bytes).unwrap();
    assert!(
        component.component_type().exports(engine).next().is_none(),
        "a reactor made from a module without WIT exports exports nothing"
    );

    let run = Run::new("reactor");
    let (mut store, linker, capture) = mmadapt_e2e::component::store_and_linker(&run).unwrap();
    linker.instantiate(&mut store, &component).unwrap();
    drop(store);
    let outcome = capture.finish(mmadapt_e2e::outcome::Exit::Code(0)).unwrap();
    assert_eq!(outcome.stdout_str(), "initialized\n");
}
