//! Builds an mmadapt adapter crate from a `build.rs`: compiles it for
//! `wasm32-unknown-unknown` with a nested cargo, splits it into a verified
//! two-memory module with the split pass, and writes both modules to
//! `OUT_DIR` (or a directory of your choice).
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     let built = mmadapt_build::Adapter::new("mylog-adapter")
//!         .out_name("mylog")
//!         .build()
//!         .unwrap_or_else(|e| panic!("{e}"));
//!     // OUT_DIR/mylog.wasm (split) and OUT_DIR/mylog.unsplit.wasm
//!     println!("cargo::rustc-env=MYLOG_ADAPTER={}", built.split_path.display());
//! }
//! ```
//!
//! The nested build:
//! - `cargo build --locked --target wasm32-unknown-unknown --profile
//!   release` on the crate's own manifest (the crate needs a `Cargo.lock`),
//!   with its own target directory, so it never waits for the outer
//!   build's lock;
//! - without the outer build's settings: the environment variables cargo
//!   gives a build script (`RUSTFLAGS`, `CARGO_ENCODED_RUSTFLAGS`,
//!   `CARGO_TARGET_DIR`, `CARGO_BUILD_TARGET`, `CARGO_PROFILE_*`,
//!   `OUT_DIR`, `TARGET`, ..., see [`leaks_into_nested_build`]) are for the
//!   host build and are removed;
//! - with `--remap-path-prefix` flags for the cargo and rustup homes, the
//!   nested target directory and the crate (or what [`Adapter::remap_path_prefix`] names), so paths in
//!   panic messages do not depend on where things live. These flags are
//!   passed as `CARGO_ENCODED_RUSTFLAGS`, which takes precedence over
//!   `rustflags` in cargo config files: link arguments an adapter needs
//!   belong in its `build.rs` (`cargo::rustc-link-arg-cdylib=...`).
//!
//! The profile must give optimised code without debug assertions (see
//! `docs/marker-abi.md`, "Build requirements for adapter code"); a profile
//! that does not is an [`Error::Profile`] before anything is split.

// The example above is a whole build script, `fn main` included.
#![allow(clippy::needless_doctest_main)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

pub use mmadapt_passes::PassError;

/// The target adapters are built for unless [`Adapter::target`] says
/// otherwise.
pub const DEFAULT_TARGET: &str = "wasm32-unknown-unknown";

/// Why an adapter could not be built. Every message is one line that names
/// the crate (or the file).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: not an adapter crate (no Cargo.toml in it)", dir.display())]
    NoCrate { dir: PathBuf },
    #[error("OUT_DIR is not set: outside a build script, give the adapter an out_dir")]
    NoOutDir,
    #[error(
        "adapter crate {}: the `{target}` target is not installed (run `rustup target add {target}`)",
        crate_dir.display()
    )]
    TargetMissing { crate_dir: PathBuf, target: String },
    #[error("adapter crate {}: profile `{profile}` {problem}", crate_dir.display())]
    Profile {
        crate_dir: PathBuf,
        profile: String,
        problem: String,
    },
    #[error("adapter crate {}: cannot run cargo: {source}", crate_dir.display())]
    CargoNotRun {
        crate_dir: PathBuf,
        source: std::io::Error,
    },
    /// cargo's own messages went to stderr just before; `stderr` has them too.
    #[error(
        "adapter crate {}: `cargo build --target {target}` failed ({status}); its messages are above",
        crate_dir.display()
    )]
    Cargo {
        crate_dir: PathBuf,
        target: String,
        status: ExitStatus,
        stderr: String,
    },
    #[error(
        "adapter crate {}: the build made no .wasm (an adapter crate needs `crate-type = [\"cdylib\"]`)",
        crate_dir.display()
    )]
    NoWasm { crate_dir: PathBuf },
    /// The split pass or its verifier rejected the module; `source` names
    /// the function and the code offset.
    #[error("{}: {source}", wasm.display())]
    Split { wasm: PathBuf, source: PassError },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// An adapter crate to build; see the crate documentation.
#[derive(Clone, Debug)]
pub struct Adapter {
    crate_dir: PathBuf,
    features: Vec<String>,
    no_default_features: bool,
    profile: String,
    target: String,
    out_name: Option<String>,
    out_dir: Option<PathBuf>,
    target_dir: Option<PathBuf>,
    remaps: Vec<(PathBuf, String)>,
    envs: Vec<(String, Option<String>)>,
    rerun_if_changed: Option<bool>,
}

/// What [`Adapter::compile`] made: the unsplit module, in the nested
/// target directory.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub wasm_path: PathBuf,
    /// The source files the module was built from (the crate's and its
    /// path dependencies', from cargo's dep-info) and their manifests.
    pub sources: Vec<PathBuf>,
}

/// What [`Adapter::build`] made.
#[derive(Clone, Debug)]
pub struct Built {
    /// `<out_dir>/<out_name>.wasm`: the split, verified two-memory module.
    pub split_path: PathBuf,
    /// `<out_dir>/<out_name>.unsplit.wasm`: the module as compiled.
    pub unsplit_path: PathBuf,
    /// How many marked regions the split found.
    pub regions: usize,
    /// As in [`Compiled::sources`].
    pub sources: Vec<PathBuf>,
}

impl Adapter {
    /// The adapter crate in `crate_dir` (the directory of its Cargo.toml),
    /// built with its default features, profile `release`, for
    /// [`DEFAULT_TARGET`].
    pub fn new(crate_dir: impl Into<PathBuf>) -> Adapter {
        Adapter {
            crate_dir: crate_dir.into(),
            features: Vec::new(),
            no_default_features: false,
            profile: "release".into(),
            target: DEFAULT_TARGET.into(),
            out_name: None,
            out_dir: None,
            target_dir: None,
            remaps: Vec::new(),
            envs: Vec::new(),
            rerun_if_changed: None,
        }
    }

    /// Cargo features to enable (added to any given before).
    pub fn features<I, S>(mut self, features: I) -> Adapter
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.features.extend(features.into_iter().map(Into::into));
        self
    }

    /// `--no-default-features`.
    pub fn no_default_features(mut self) -> Adapter {
        self.no_default_features = true;
        self
    }

    /// The cargo profile (default `release`).
    pub fn profile(mut self, profile: impl Into<String>) -> Adapter {
        self.profile = profile.into();
        self
    }

    /// The target triple (default [`DEFAULT_TARGET`]).
    pub fn target(mut self, target: impl Into<String>) -> Adapter {
        self.target = target.into();
        self
    }

    /// The outputs' file name without `.wasm` (default: the name of the
    /// `.wasm` cargo makes, e.g. `mylog_adapter`).
    pub fn out_name(mut self, name: impl Into<String>) -> Adapter {
        self.out_name = Some(name.into());
        self
    }

    /// Where the outputs go (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Adapter {
        self.out_dir = Some(dir.into());
        self
    }

    /// The nested build's target directory (default: a directory in the
    /// output directory named after the crate and a hash of the features,
    /// profile and target: a cdylib's file name does not change with its
    /// features, so two configurations must not share one).
    pub fn target_dir(mut self, dir: impl Into<PathBuf>) -> Adapter {
        self.target_dir = Some(dir.into());
        self
    }

    /// Remaps source paths under `from` to `to` in the compiled code (panic
    /// locations). Without any, the crate directory becomes `/<its name>`;
    /// give one for a directory above it when path dependencies live
    /// outside the crate. The cargo and rustup homes and the nested target
    /// directory are always remapped (to `/cargo`, `/rustup`, `/target`).
    pub fn remap_path_prefix(mut self, from: impl Into<PathBuf>, to: impl Into<String>) -> Adapter {
        self.remaps.push((from.into(), to.into()));
        self
    }

    /// Sets an environment variable for the nested build (after the outer
    /// build's are removed).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Adapter {
        self.envs.push((key.into(), Some(value.into())));
        self
    }

    /// Removes an environment variable from the nested build.
    pub fn env_remove(mut self, key: impl Into<String>) -> Adapter {
        self.envs.push((key.into(), None));
        self
    }

    /// Whether [`build`](Self::build) prints `cargo::rerun-if-changed`
    /// lines for the crate's sources (default: when `OUT_DIR` is set, i.e.
    /// in a build script).
    pub fn rerun_if_changed(mut self, emit: bool) -> Adapter {
        self.rerun_if_changed = Some(emit);
        self
    }

    /// Compiles, splits and verifies the adapter, and writes the split
    /// module and the unsplit one to the output directory.
    pub fn build(&self) -> Result<Built, Error> {
        let out_dir = self.output_dir()?;
        let compiled = self.compile()?;
        let unsplit = read(&compiled.wasm_path)?;
        let split = mmadapt_passes::split_bytes(&unsplit).map_err(|source| Error::Split {
            wasm: compiled.wasm_path.clone(),
            source,
        })?;
        let name = match &self.out_name {
            Some(name) => name.clone(),
            None => compiled
                .wasm_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "adapter".into()),
        };
        let split_path = out_dir.join(format!("{name}.wasm"));
        let unsplit_path = out_dir.join(format!("{name}.unsplit.wasm"));
        write(&split_path, &split.bytes)?;
        write(&unsplit_path, &unsplit)?;
        if self
            .rerun_if_changed
            .unwrap_or_else(|| std::env::var_os("OUT_DIR").is_some())
        {
            for source in &compiled.sources {
                println!("cargo::rerun-if-changed={}", source.display());
            }
        }
        Ok(Built {
            split_path,
            unsplit_path,
            regions: split.map.regions().count(),
            sources: compiled.sources,
        })
    }

    /// Compiles the adapter (no split): the nested cargo build alone.
    pub fn compile(&self) -> Result<Compiled, Error> {
        let manifest = self.crate_dir.join("Cargo.toml");
        if !manifest.is_file() {
            return Err(Error::NoCrate {
                dir: self.crate_dir.clone(),
            });
        }
        let crate_dir = self.crate_dir.canonicalize().map_err(|source| Error::Io {
            path: self.crate_dir.clone(),
            source,
        })?;
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        if target_installed(&rustc, &crate_dir, &self.target) == Some(false) {
            return Err(Error::TargetMissing {
                crate_dir,
                target: self.target.clone(),
            });
        }
        let target_dir = match &self.target_dir {
            Some(dir) => dir.clone(),
            None => self
                .output_dir()?
                .join(self.default_target_dir_name(&crate_dir)),
        };

        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(&crate_dir)
            .arg("build")
            .arg("--manifest-path")
            .arg(crate_dir.join("Cargo.toml"))
            .args(["--locked", "--message-format=json-render-diagnostics"])
            .args(["--target", &self.target, "--profile", &self.profile])
            .arg("--target-dir")
            .arg(&target_dir);
        if self.no_default_features {
            cmd.arg("--no-default-features");
        }
        if !self.features.is_empty() {
            cmd.args(["--features", &self.features.join(",")]);
        }
        for (key, _) in std::env::vars_os() {
            if leaks_into_nested_build(&key.to_string_lossy()) {
                cmd.env_remove(&key);
            }
        }
        cmd.env(
            "CARGO_ENCODED_RUSTFLAGS",
            self.remap_flags(&crate_dir, &target_dir),
        );
        for (key, value) in &self.envs {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        let output = cmd.output().map_err(|source| Error::CargoNotRun {
            crate_dir: crate_dir.clone(),
            source,
        })?;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            // cargo's own words are what the user needs to fix a compile
            // error; the error value then stays one line.
            eprint!("{stderr}");
            return Err(self.classify_failure(crate_dir, output.status, stderr));
        }

        let stdout = String::from_utf8_lossy(&output.stdout);
        let manifest = crate_dir.join("Cargo.toml");
        let artifact = stdout
            .lines()
            .filter_map(json::Artifact::parse)
            .filter(|a| a.wasm.is_some())
            .find(|a| a.manifest_path.as_deref() == Some(manifest.as_path()))
            .ok_or_else(|| Error::NoWasm {
                crate_dir: crate_dir.clone(),
            })?;
        if artifact.opt_level.as_deref() == Some("0") {
            return Err(Error::Profile {
                crate_dir,
                profile: self.profile.clone(),
                problem: "has opt-level 0: the split needs optimised code (opt-level >= 1); \
                          unoptimised code keeps locals on the shadow stack inside regions"
                    .into(),
            });
        }
        if artifact.debug_assertions == Some(true) {
            return Err(Error::Profile {
                crate_dir,
                profile: self.profile.clone(),
                problem: "has debug assertions on: the split needs `debug-assertions = false` \
                          (core's pointer precondition checks would be calls inside regions)"
                    .into(),
            });
        }
        let wasm_path = artifact.wasm.expect("filtered above");
        let sources = sources(&crate_dir, &wasm_path.with_extension("d"));
        Ok(Compiled { wasm_path, sources })
    }

    fn output_dir(&self) -> Result<PathBuf, Error> {
        match &self.out_dir {
            Some(dir) => Ok(dir.clone()),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir),
        }
    }

    fn default_target_dir_name(&self, crate_dir: &Path) -> String {
        // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let key = format!(
            "{:?}|{}|{}|{}",
            self.features, self.no_default_features, self.profile, self.target
        );
        for b in key.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        let name = crate_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{name}-target-{:08x}", h as u32)
    }

    fn remap_flags(&self, crate_dir: &Path, target_dir: &Path) -> String {
        let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".cargo"));
        let rustup_home = std::env::var_os("RUSTUP_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".rustup"));
        let mut remaps = vec![
            (cargo_home, "/cargo".to_string()),
            (rustup_home, "/rustup".to_string()),
        ];
        if self.remaps.is_empty() {
            let name = crate_dir.file_name().unwrap_or_default().to_string_lossy();
            remaps.push((crate_dir.to_path_buf(), format!("/{name}")));
        } else {
            remaps.extend(self.remaps.iter().cloned());
        }
        // The target directory holds the sources build scripts generate
        // (`include!`d from OUT_DIR): its path must not reach the bytes
        // either, or the same commit built in two places differs. Last, as
        // rustc lets the last matching prefix win, and it may lie inside a
        // directory remapped above.
        remaps.push((target_dir.to_path_buf(), "/target".to_string()));
        remaps
            .iter()
            .map(|(from, to)| format!("--remap-path-prefix={}={to}", from.display()))
            .collect::<Vec<_>>()
            .join("\x1f")
    }

    fn classify_failure(&self, crate_dir: PathBuf, status: ExitStatus, stderr: String) -> Error {
        if stderr.contains("target may not be installed") {
            return Error::TargetMissing {
                crate_dir,
                target: self.target.clone(),
            };
        }
        if stderr.contains(&format!("profile `{}` is not defined", self.profile)) {
            return Error::Profile {
                crate_dir,
                profile: self.profile.clone(),
                problem: "is not defined in its Cargo.toml".into(),
            };
        }
        if stderr.contains("unwinding panics are not supported without std") {
            return Error::Profile {
                crate_dir,
                profile: self.profile.clone(),
                problem: "has `panic = \"unwind\"`: a no_std adapter needs `panic = \"abort\"`"
                    .into(),
            };
        }
        Error::Cargo {
            crate_dir,
            target: self.target.clone(),
            status,
            stderr,
        }
    }
}

/// Whether the environment variable `name`, as the outer build has it,
/// must not reach the nested cargo: flags and directories meant for the
/// host build, and the variables cargo sets for a build script (which a
/// crate of the nested build could otherwise read with `env!`).
/// `CARGO_HOME`, `RUSTUP_*`, `CARGO_MAKEFLAGS` (the job server, so the
/// nested build shares the outer one's job slots), network and registry
/// settings, and `RUSTC` (the same compiler) pass through.
pub fn leaks_into_nested_build(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_ENCODED_RUSTDOCFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_LINKER",
        "RUSTDOC",
        "OUT_DIR",
        "TARGET",
        "HOST",
        "NUM_JOBS",
        "OPT_LEVEL",
        "DEBUG",
        "PROFILE",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_MANIFEST_LINKS",
        "CARGO_CRATE_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_BIN_NAME",
    ];
    const PREFIXES: &[&str] = &[
        // CARGO_TARGET_DIR, CARGO_TARGET_<triple>_RUSTFLAGS/_LINKER/_RUNNER
        "CARGO_TARGET_",
        // CARGO_BUILD_TARGET, CARGO_BUILD_RUSTFLAGS, CARGO_BUILD_TARGET_DIR, ...
        "CARGO_BUILD_",
        "CARGO_PROFILE_",
        "CARGO_PKG_",
        "CARGO_CFG_",
        "CARGO_FEATURE_",
        "CARGO_BIN_EXE_",
        "DEP_",
    ];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// `Some(false)` when `rustc` knows `target` but has no standard library
/// for it (rustup prints the directory it would have); `None` when it
/// cannot tell (cargo's own error then says what is wrong).
fn target_installed(rustc: &std::ffi::OsStr, dir: &Path, target: &str) -> Option<bool> {
    let output = Command::new(rustc)
        .current_dir(dir)
        .args(["--print", "target-libdir", "--target", target])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let libdir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let Ok(entries) = std::fs::read_dir(&libdir) else {
        return Some(false);
    };
    Some(entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with("libcore-") && name.ends_with(".rlib")
    }))
}

/// The files to watch: the crate's manifest, lock file, build script and
/// `src/`, every source file in cargo's dep-info for the module (the
/// crate's and its path dependencies'), and the manifest of each path
/// dependency.
fn sources(crate_dir: &Path, dep_info: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["Cargo.toml", "Cargo.lock", "build.rs", "src"]
        .iter()
        .map(|f| crate_dir.join(f))
        .filter(|p| p.exists())
        .collect();
    if let Ok(text) = std::fs::read_to_string(dep_info) {
        for file in dep_info_files(&text) {
            let mut dir = file.parent();
            while let Some(d) = dir {
                let manifest = d.join("Cargo.toml");
                if manifest.is_file() {
                    files.push(manifest);
                    break;
                }
                dir = d.parent();
            }
            files.push(file);
        }
    }
    files.sort();
    files.dedup();
    files
}

/// The prerequisites of the first rule of a Makefile-style dep-info file
/// (`target: dep dep ...`, spaces in paths escaped as `\ `).
fn dep_info_files(text: &str) -> Vec<PathBuf> {
    let Some(line) = text.lines().next() else {
        return Vec::new();
    };
    // The target is an absolute path and ends at the first unescaped ": ".
    let Some(colon) = line.find(": ") else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut current = String::new();
    let mut chars = line[colon + 2..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ' ' => {
                if !current.is_empty() {
                    files.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        files.push(PathBuf::from(current));
    }
    files
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes through a temporary file and a rename, so a reader (or a failed
/// build) never sees half a module.
fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Just enough of cargo's JSON messages (`--message-format=json`) to find
/// a `compiler-artifact`'s manifest, `.wasm` file and profile: one object
/// per line, with string values escaped as JSON.
mod json {
    use std::path::PathBuf;

    pub struct Artifact {
        pub manifest_path: Option<PathBuf>,
        pub wasm: Option<PathBuf>,
        pub opt_level: Option<String>,
        pub debug_assertions: Option<bool>,
    }

    impl Artifact {
        pub fn parse(line: &str) -> Option<Artifact> {
            if !line.starts_with("{\"reason\":\"compiler-artifact\"") {
                return None;
            }
            let manifest_path = string_after(line, "\"manifest_path\":").map(PathBuf::from);
            let wasm = line.find("\"filenames\":[").and_then(|at| {
                let mut rest = &line[at + "\"filenames\":[".len()..];
                while let Some((s, after)) = string(rest) {
                    if s.ends_with(".wasm") {
                        return Some(PathBuf::from(s));
                    }
                    rest = after.strip_prefix(',')?;
                }
                None
            });
            let opt_level = string_after(line, "\"opt_level\":");
            let debug_assertions = line
                .find("\"debug_assertions\":")
                .map(|at| line[at + "\"debug_assertions\":".len()..].starts_with("true"));
            Some(Artifact {
                manifest_path,
                wasm,
                opt_level,
                debug_assertions,
            })
        }
    }

    fn string_after(line: &str, key: &str) -> Option<String> {
        let at = line.find(key)?;
        string(&line[at + key.len()..]).map(|(s, _)| s)
    }

    /// The JSON string at the start of `s`, and what follows it.
    pub fn string(s: &str) -> Option<(String, &str)> {
        let mut chars = s.strip_prefix('"')?.char_indices();
        let body = &s[1..];
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Some((out, &body[i + 1..])),
                '\\' => match chars.next()?.1 {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'u' => {
                        let hex: String =
                            (0..4).filter_map(|_| chars.next()).map(|c| c.1).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_build_variables_do_not_leak() {
        for name in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_TARGET_DIR",
            "CARGO_BUILD_TARGET",
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "CARGO_PROFILE_RELEASE_OPT_LEVEL",
            "OUT_DIR",
            "TARGET",
            "CARGO_FEATURE_STD",
            "CARGO_PKG_NAME",
            "RUSTC_WORKSPACE_WRAPPER",
        ] {
            assert!(leaks_into_nested_build(name), "{name}");
        }
        for name in [
            "CARGO",
            "RUSTC",
            "CARGO_HOME",
            "RUSTUP_HOME",
            "RUSTUP_TOOLCHAIN",
            "CARGO_MAKEFLAGS",
            "PATH",
            "HOME",
        ] {
            assert!(!leaks_into_nested_build(name), "{name}");
        }
    }

    #[test]
    fn reads_cargo_artifact_messages() {
        let line = r#"{"reason":"compiler-artifact","package_id":"path+file:///a/b#x@0.1.0","manifest_path":"/a/b c/Cargo.toml","target":{"kind":["cdylib"],"crate_types":["cdylib"],"name":"x"},"profile":{"opt_level":"s","debuginfo":0,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/t/x.d\"q","/t/wasm32-unknown-unknown/release/x.wasm"],"executable":null,"fresh":true}"#;
        let a = json::Artifact::parse(line).unwrap();
        assert_eq!(a.manifest_path.unwrap(), Path::new("/a/b c/Cargo.toml"));
        assert_eq!(
            a.wasm.unwrap(),
            Path::new("/t/wasm32-unknown-unknown/release/x.wasm")
        );
        assert_eq!(a.opt_level.as_deref(), Some("s"));
        assert_eq!(a.debug_assertions, Some(false));
        assert!(json::Artifact::parse(r#"{"reason":"build-finished","success":true}"#).is_none());
        assert_eq!(
            json::string(r#""a\\b\u0041\"" ,"#).unwrap(),
            ("a\\bA\"".to_string(), " ,")
        );
    }

    #[test]
    fn reads_dep_info() {
        let text = "/t/x.wasm: /a/Cargo.toml /a/src/lib.rs /b\\ c/src/lib.rs\n\n/a/src/lib.rs:\n";
        assert_eq!(
            dep_info_files(text),
            [
                PathBuf::from("/a/Cargo.toml"),
                PathBuf::from("/a/src/lib.rs"),
                PathBuf::from("/b c/src/lib.rs")
            ]
        );
    }

    #[test]
    fn configurations_get_their_own_target_dirs() {
        let dir = Path::new("/x/mylog-adapter");
        let a = Adapter::new(dir).default_target_dir_name(dir);
        let b = Adapter::new(dir)
            .no_default_features()
            .default_target_dir_name(dir);
        assert!(a.starts_with("mylog-adapter-target-"));
        assert_ne!(a, b);
        assert_eq!(a, Adapter::new(dir).default_target_dir_name(dir));
    }
}
