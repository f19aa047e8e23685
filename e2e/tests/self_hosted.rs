//! mmadapt as a component, made by itself: the CLI built for
//! `wasm32-wasip1`, made a component by the native library with no flags
//! (the private-module layout), runs `component new`, `split` and `print`
//! on wasmtime and on jco's default path (Node 20, no flags), with outputs
//! byte for byte the native CLI's: on `examples/hello-p1.wat`, on the
//! built-in adapter before its split, and on mmadapt.wasm itself. Files are
//! written with `-o FILE` (a temporary file renamed into place), so each
//! run also shows that no temporary file is left behind, and a failing
//! split that no output file is.

use mmadapt_e2e::jco::{self, JsHost};
use mmadapt_e2e::self_hosted::{mmadapt_wasm, Command, Compiled, Op};
use std::sync::OnceLock;

fn hello() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/hello-p1.wat");
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Not a module: the split fails after reading it.
const TRUNCATED: &[u8] = b"\0asm\x01\0\0\0\x05\x03";

/// The commands on the small inputs: every command on hello, a split and
/// the region views of the marked adapter, and a split that fails.
fn small_commands() -> Vec<Command> {
    let hello = hello();
    let unsplit = mmadapt::adapter::unsplit_adapter(mmadapt::Variant::Command);
    [
        (Op::ComponentNew, "hello-p1.wat", &hello[..]),
        (Op::Split, "hello-p1.wat", &hello[..]),
        (Op::Print, "hello-p1.wat", &hello[..]),
        (Op::Split, "adapter.unsplit.wasm", unsplit),
        (Op::Print, "adapter.unsplit.wasm", unsplit),
        (Op::PrintSplit, "adapter.unsplit.wasm", unsplit),
        (Op::Split, "truncated.wasm", TRUNCATED),
    ]
    .into_iter()
    .map(|(op, name, input)| Command::new(op, name, input).unwrap())
    .collect()
}

/// The commands on mmadapt.wasm itself (10 MB). Its full region view is
/// over 200 MB of text, so `print --stats` stands for `print`.
fn self_commands(wasm: &[u8]) -> Vec<Command> {
    [Op::ComponentNew, Op::Split, Op::PrintStats]
        .into_iter()
        .map(|op| Command::new(op, "mmadapt.wasm", wasm).unwrap())
        .collect()
}

/// mmadapt's component and every command, with the native outcomes: made
/// once for both tests (they run at the same time).
fn fixture() -> &'static (Vec<u8>, Vec<Command>) {
    static FIXTURE: OnceLock<(Vec<u8>, Vec<Command>)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let wasm = mmadapt_wasm().unwrap();
        let component = mmadapt_e2e::adapters::mmadapt(&wasm).unwrap();
        let commands = small_commands().into_iter().chain(self_commands(&wasm));
        (component, commands.collect())
    })
}

#[test]
fn mmadapt_component_gives_native_outputs_on_wasmtime() {
    let (component, commands) = fixture();
    let compiled = Compiled::new(component).unwrap();
    for command in commands {
        let outcome = compiled.run(&command.run).unwrap();
        command.check("wasmtime", &outcome).unwrap();
    }
}

#[test]
fn mmadapt_component_gives_native_outputs_on_jco_default_path() {
    let (component, commands) = fixture();
    for command in commands {
        let outcome = jco::run_on(JsHost::Default, component, &command.run).unwrap();
        command.check("jco's default path", &outcome).unwrap();
    }
}
