//! mmadapt as a component, made by itself: the `mmadapt` binary built for
//! `wasm32-wasip1` ([`mmadapt_wasm`]), made a component by the native
//! library, runs mmadapt's commands ([`Command`]) on a host; each must give
//! the outcome the native CLI gives for the same arguments.
//!
//! The build is `cargo build --release --locked --target wasm32-wasip1 -p
//! mmadapt --bin mmadapt` of this workspace into
//! `<target>/e2e-programs/mmadapt-wasip1-target`, a target directory of its
//! own like the guest programs' (out of the way of the host build and its
//! lock). Release, because it builds no slower than the dev profile here
//! and gives a 10 MB module, not 170 MB of debug information (the figures
//! are in docs/benchmarks.md).

use crate::inputs::{Preopen, Run};
use crate::outcome::{Exit, Node, Outcome};
use crate::watchdog::Watchdog;
use anyhow::{anyhow, bail, Context, Result};
use mmadapt::print::PrintRequest;
use std::collections::BTreeMap;
use std::path::Path;
use wasmtime::component::Component;
use wasmtime::Engine;

/// The guest directory the commands' files are in. Paths are absolute: a
/// preview1 program resolves relative ones against a preopen named `.`.
pub const DIR: &str = "/work";

/// The file every command that writes one writes (`-o`).
pub const OUTPUT: &str = "out.wasm";

/// `mmadapt.wasm`, the CLI built for `wasm32-wasip1` (release). Every call
/// runs the build, which cargo skips when nothing changed (a second or so):
/// keep the bytes rather than call it again.
pub fn mmadapt_wasm() -> Result<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target_dir = crate::programs::out_dir().join("mmadapt-wasip1-target");
    let mut cmd = crate::programs::cargo_command();
    cmd.args(["build", "--release", "--locked", "--quiet"])
        .args([
            "--target",
            "wasm32-wasip1",
            "-p",
            "mmadapt",
            "--bin",
            "mmadapt",
        ])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target_dir);
    if let Err(e) = crate::programs::run(&mut cmd, "building mmadapt for wasm32-wasip1") {
        let msg = format!("{e:#}");
        if msg.contains("target may not be installed") {
            bail!("the wasm32-wasip1 target is missing (`rustup target add wasm32-wasip1`, or run `.ci/install-toolchains`)\n{msg}");
        }
        return Err(e);
    }
    let wasm = target_dir.join("wasm32-wasip1/release/mmadapt.wasm");
    std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))
}

/// What a [`Command`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `component new IN -o OUT`
    ComponentNew,
    /// `split IN -o OUT`
    Split,
    /// `print IN` (to stdout)
    Print,
    /// `print --stats IN`
    PrintStats,
    /// `print --split IN`
    PrintSplit,
}

/// One command of mmadapt's on one input file: the run that gives it to
/// mmadapt's component, and the outcome the native CLI has for the same
/// arguments: stdout, stderr, exit status, and a directory that holds the
/// input and the output file only (no temporary file left, and no output
/// after an error).
pub struct Command {
    /// The command line, for messages.
    pub line: String,
    pub run: Run,
    pub expected: Outcome,
}

impl Command {
    /// `op` on `input` (binary or text), named `name` in [`DIR`]; the
    /// expected outcome from [`native`].
    pub fn new(op: Op, name: &str, input: &[u8]) -> Result<Command> {
        let guest_in = format!("{DIR}/{name}");
        let guest_out = format!("{DIR}/{OUTPUT}");
        let args: Vec<&str> = match op {
            Op::ComponentNew => vec!["component", "new", &guest_in, "-o", &guest_out],
            Op::Split => vec!["split", &guest_in, "-o", &guest_out],
            Op::Print => vec!["print", &guest_in],
            Op::PrintStats => vec!["print", "--stats", &guest_in],
            Op::PrintSplit => vec!["print", "--split", &guest_in],
        };
        let host = tempfile::tempdir()?;
        let host_in = host.path().join(name);
        std::fs::write(&host_in, input)?;
        let mut files = BTreeMap::from([
            (DIR.to_string(), Node::Dir),
            (guest_in.clone(), Node::File(input.to_vec())),
        ]);
        // As the CLI's `main`: the output on success; on an error, exit 1
        // and one line on stderr, and no file.
        let result = on_main_thread_stack(|| native(op, &host_in, &guest_in))?;
        let (stdout, stderr, exit) = match result {
            Ok((stdout, file)) => {
                if let Some(f) = file {
                    files.insert(guest_out.clone(), Node::File(f));
                }
                (stdout, Vec::new(), Exit::Code(0))
            }
            Err(e) => (
                Vec::new(),
                format!("error: {e}\n").into_bytes(),
                Exit::Code(1),
            ),
        };
        Ok(Command {
            line: format!("mmadapt {}", args.join(" ")),
            run: Run::new("mmadapt")
                .args(args)
                .preopen(Preopen::new(DIR).file(name, input)),
            expected: Outcome {
                stdout,
                stderr,
                exit,
                files,
            },
        })
    }

    /// `Err` naming the command and what differs unless `actual` is
    /// [`Command::expected`] (`host` names where it ran).
    pub fn check(&self, host: &str, actual: &Outcome) -> Result<()> {
        match self.expected.diff(actual) {
            None => Ok(()),
            Some(d) => bail!(
                "`{}` on {host}: native (left) and the component (right) differ:\n{d}",
                self.line
            ),
        }
    }
}

/// What the CLI gives for `op` on the file `host_in`, named `guest_in` as
/// the component names it: stdout and the output file's bytes. The input is
/// read as the CLI reads it (text is parsed; a text error would name the
/// host path, so the commands here use inputs that parse).
fn native(
    op: Op,
    host_in: &Path,
    guest_in: &str,
) -> Result<(Vec<u8>, Option<Vec<u8>>), mmadapt::FileError> {
    let bytes = mmadapt::io::read_module(&host_in.to_string_lossy())?;
    let print = |stats, split| {
        mmadapt::print::print(guest_in, &bytes, PrintRequest { stats, split })
            .map(|text| (text.into_bytes(), None))
    };
    match op {
        Op::ComponentNew => crate::adapters::mmadapt(&bytes)
            .map(|c| (Vec::new(), Some(c)))
            .map_err(|e| mmadapt::FileError::new(guest_in, format!("{e:#}"))),
        Op::Split => {
            mmadapt::split::split_module(guest_in, &bytes, false).map(|m| (Vec::new(), Some(m)))
        }
        Op::Print => print(false, false),
        Op::PrintStats => print(true, false),
        Op::PrintSplit => print(false, true),
    }
}

/// Runs `f` on a thread with the stack of a native CLI's main thread (8 MiB
/// on Linux): a test thread has 2 MiB, and the region analysis recurses
/// once per nested block, which mmadapt.wasm's deepest functions overflow
/// in a debug build of the library.
fn on_main_thread_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T> {
    const MAIN_THREAD_STACK: usize = 8 << 20;
    std::thread::scope(|s| {
        let thread = std::thread::Builder::new()
            .stack_size(MAIN_THREAD_STACK)
            .spawn_scoped(s, f)
            .context("starting a thread for the native CLI's work")?;
        thread
            .join()
            .map_err(|_| anyhow!("the native CLI's work panicked"))
    })
}

/// A command component compiled once for many runs on wasmtime (compiling
/// mmadapt's component takes seconds; [`crate::component::run`] compiles
/// it on every run).
pub struct Compiled {
    engine: &'static Engine,
    component: Component,
}

impl Compiled {
    pub fn new(wasm: &[u8]) -> Result<Compiled> {
        let engine = crate::native::engine();
        let component = Component::new(engine, wasm)
            .map_err(anyhow::Error::from)
            .context("compiling the component")?;
        Ok(Compiled { engine, component })
    }

    /// Runs it as [`crate::component::run`] does.
    pub fn run(&self, run: &Run) -> Result<Outcome> {
        let (mut store, capture) = crate::component::store(self.engine, run)?;
        let linker = crate::component::linker(self.engine)?;
        let command = wasmtime_wasi::p2::bindings::sync::Command::instantiate(
            &mut store,
            &self.component,
            &linker,
        )
        .map_err(anyhow::Error::from)
        .context("instantiating the component")?;
        let exit = {
            let _watchdog = Watchdog::start(self.engine, run.timeout);
            Exit::from_run_result(command.wasi_cli_run().call_run(&mut store))
        };
        drop(store);
        capture.finish(exit)
    }
}
