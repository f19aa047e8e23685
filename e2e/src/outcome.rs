//! What came out of a run ([`Outcome`]: stdout, stderr, how it ended, the
//! preopened directories afterwards), the same for every runner, and how
//! two outcomes differ ([`Outcome::diff`]). [`Capture`] holds the host side
//! of a run in progress until it gives the outcome.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::I32Exit;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `_start` returned (0), `proc_exit(n)` / `exit-with-code(n)` (n), or a
    /// component's `run` returned `err` (1).
    Code(i32),
    /// The run trapped (or was interrupted at the timeout): the error, with
    /// its causes. Messages differ between runners; [`Outcome::diff`]
    /// compares only *that* both trapped.
    Trap(String),
}

impl Exit {
    /// From the result of calling a core module's `_start` (or any call that
    /// may end in `proc_exit`).
    pub fn from_call(result: wasmtime::Result<()>) -> Exit {
        match result {
            Ok(()) => Exit::Code(0),
            Err(e) => Exit::from_error(e),
        }
    }

    /// From the result of calling a component's `wasi:cli/run#run`.
    pub fn from_run_result(result: wasmtime::Result<Result<(), ()>>) -> Exit {
        match result {
            Ok(Ok(())) => Exit::Code(0),
            Ok(Err(())) => Exit::Code(1),
            Err(e) => Exit::from_error(e),
        }
    }

    /// An error that ended a run: `I32Exit(n)` is an exit with code `n`,
    /// anything else a trap.
    pub fn from_error(e: wasmtime::Error) -> Exit {
        if let Some(exit) = e.downcast_ref::<I32Exit>() {
            return Exit::Code(exit.0);
        }
        if let Some(wasmtime::Trap::Interrupt) = e.downcast_ref::<wasmtime::Trap>() {
            return Exit::Trap(format!("interrupted at the run's timeout: {e:?}"));
        }
        Exit::Trap(format!("{e:?}"))
    }

    pub fn code(&self) -> Option<i32> {
        match self {
            Exit::Code(c) => Some(*c),
            Exit::Trap(_) => None,
        }
    }

    pub fn is_trap(&self) -> bool {
        matches!(self, Exit::Trap(_))
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit code {c}"),
            Exit::Trap(m) => write!(f, "trap: {m}"),
        }
    }
}

/// One node of the snapshot of the preopened directories after a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    File(Vec<u8>),
    Dir,
    Symlink(String),
    /// Anything else (FIFO, socket, device).
    Other,
}

/// What came out of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit: Exit,
    /// Every preopened directory after the run, keyed by guest path: the
    /// preopen itself (`/sandbox`, always a [`Node::Dir`]) and everything
    /// under it (`/sandbox/sub/a.txt`). Symlinks are not followed.
    pub files: BTreeMap<String, Node>,
}

/// What the preopened directories hold after a run, by guest path.
pub fn snapshot_preopens(dirs: &[(String, tempfile::TempDir)]) -> Result<BTreeMap<String, Node>> {
    let mut files = BTreeMap::new();
    for (guest, dir) in dirs {
        files.insert(guest.clone(), Node::Dir);
        snapshot(dir.path(), guest, &mut files)
            .with_context(|| format!("reading back the preopen {guest}"))?;
    }
    Ok(files)
}

/// The host side of a run in progress: the output pipes and the temporary
/// directories (deleted when this is dropped).
pub struct Capture {
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    dirs: Vec<(String, tempfile::TempDir)>,
}

impl Capture {
    /// For [`crate::inputs::Run::wasi_builder`], which made the pipes and directories.
    pub(crate) fn new(
        stdout: MemoryOutputPipe,
        stderr: MemoryOutputPipe,
        dirs: Vec<(String, tempfile::TempDir)>,
    ) -> Capture {
        Capture {
            stdout,
            stderr,
            dirs,
        }
    }

    /// Host paths of the preopened directories, with their guest names.
    pub fn dirs(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.dirs.iter().map(|(g, d)| (g.as_str(), d.path()))
    }

    /// Collects stdout, stderr and the directory snapshot, then deletes the
    /// temporary directories.
    pub fn finish(self, exit: Exit) -> Result<Outcome> {
        let files = snapshot_preopens(&self.dirs)?;
        Ok(Outcome {
            stdout: self.stdout.contents().to_vec(),
            stderr: self.stderr.contents().to_vec(),
            exit,
            files,
        })
    }
}

fn snapshot(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Node>) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let key = if prefix.ends_with('/') {
            format!("{prefix}{name}")
        } else {
            format!("{prefix}/{name}")
        };
        let path = e.path();
        let meta = std::fs::symlink_metadata(&path)?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            let target = std::fs::read_link(&path)?;
            out.insert(key, Node::Symlink(target.to_string_lossy().into_owned()));
        } else if ft.is_dir() {
            out.insert(key.clone(), Node::Dir);
            snapshot(&path, &key, out)?;
        } else if ft.is_file() {
            out.insert(key, Node::File(std::fs::read(&path)?));
        } else {
            out.insert(key, Node::Other);
        }
    }
    Ok(())
}

impl Outcome {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// True if some stdout line is exactly `line`.
    pub fn has_line(&self, line: &str) -> bool {
        self.stdout_str().lines().any(|l| l == line)
    }

    /// Contents of the file at guest path `path` (e.g. `/sandbox/out.txt`).
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        match self.files.get(path) {
            Some(Node::File(c)) => Some(c),
            _ => None,
        }
    }

    /// `None` when `other` is the same outcome: same stdout, stderr, exit
    /// code (two traps are the same whatever their messages) and files.
    /// Otherwise a readable description of every difference, `self` being
    /// called "left" and `other` "right".
    pub fn diff(&self, other: &Outcome) -> Option<String> {
        let mut d = String::new();
        diff_text("stdout", &self.stdout, &other.stdout, &mut d);
        diff_text("stderr", &self.stderr, &other.stderr, &mut d);
        let same_exit = match (&self.exit, &other.exit) {
            (Exit::Trap(_), Exit::Trap(_)) => true,
            (a, b) => a == b,
        };
        if !same_exit {
            d += &format!("exit: left {} / right {}\n", self.exit, other.exit);
        }
        let keys: std::collections::BTreeSet<&String> =
            self.files.keys().chain(other.files.keys()).collect();
        for k in keys {
            match (self.files.get(k), other.files.get(k)) {
                (Some(a), Some(b)) if a == b => {}
                (a, b) => {
                    d += &format!("file {k}: left {} / right {}\n", node(a), node(b));
                }
            }
        }
        (!d.is_empty()).then_some(d)
    }
}

fn node(n: Option<&Node>) -> String {
    match n {
        None => "absent".into(),
        Some(Node::Dir) => "directory".into(),
        Some(Node::Other) => "special file".into(),
        Some(Node::Symlink(t)) => format!("symlink -> {t:?}"),
        Some(Node::File(c)) => {
            let s = String::from_utf8_lossy(&c[..c.len().min(80)]).into_owned();
            format!(
                "file of {} bytes {s:?}{}",
                c.len(),
                if c.len() > 80 { "..." } else { "" }
            )
        }
    }
}

fn diff_text(what: &str, a: &[u8], b: &[u8], out: &mut String) {
    if a == b {
        return;
    }
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let bl: Vec<&str> = b.split_inclusive('\n').collect();
    let first = al.iter().zip(&bl).take_while(|(x, y)| x == y).count();
    out.push_str(&format!(
        "{what} differs from line {} (left {} lines, right {} lines):\n",
        first + 1,
        al.len(),
        bl.len()
    ));
    for l in &al[first.saturating_sub(2)..first] {
        out.push_str(&format!("    {}\n", l.trim_end_matches('\n')));
    }
    for l in al.iter().skip(first).take(5) {
        out.push_str(&format!("  - {l:?}\n"));
    }
    for l in bl.iter().skip(first).take(5) {
        out.push_str(&format!("  + {l:?}\n"));
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.exit)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout_str())?;
        writeln!(f, "--- stderr ---\n{}", self.stderr_str())?;
        writeln!(f, "--- files ---")?;
        for (k, v) in &self.files {
            writeln!(f, "{k}: {}", node(Some(v)))?;
        }
        Ok(())
    }
}
