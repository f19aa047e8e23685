//! mmadapt components in a browser: headless Chromium runs them as jco
//! transpiled them with no flags, on the preview2-shim's browser build,
//! from a page served on 127.0.0.1 (`e2e/src/browser.rs`). Each compared
//! with the same component's stdout and exit status on wasmtime.

use mmadapt_e2e::inputs::Run;
use mmadapt_e2e::{adapters, browser, component, programs};
use std::time::Duration;

fn same_as_wasmtime(what: &str, wasm: &[u8], args: &[&str]) {
    let mut run = Run::new(args[0]).args(args[1..].iter().copied());
    run.preopens.clear();
    let on_wasmtime = component::run(wasm, &run).expect("running on wasmtime");
    let in_browser =
        browser::run(wasm, args, Duration::from_secs(120)).expect("running in Chromium");
    assert_eq!(
        (in_browser.stdout.as_str(), in_browser.status.clone()),
        (
            String::from_utf8_lossy(&on_wasmtime.stdout).as_ref(),
            Ok(on_wasmtime.exit.code().expect("wasmtime: an exit code"))
        ),
        "{what}: Chromium (left) and wasmtime (right) differ; the page's stderr: {}",
        in_browser.stderr
    );
    assert!(!in_browser.stdout.is_empty(), "{what}: no output");
}

#[test]
fn hello_in_chromium() {
    let main = wat::parse_file(programs::programs_dir().join("../../examples/hello-p1.wat"))
        .expect("examples/hello-p1.wat");
    let wasm = adapters::mmadapt(&main).unwrap();
    same_as_wasmtime("hello", &wasm, &["hello"]);
}

#[test]
fn go_program_that_computes_and_prints_in_chromium() {
    // tests/programs/go-big: a 14 MB Go program that links much of the
    // standard library and prints a line computed with it.
    let wasm = adapters::mmadapt(&programs::go_big().unwrap()).unwrap();
    same_as_wasmtime("go-big", &wasm, &["gobig"]);
}
