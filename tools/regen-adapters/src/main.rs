//! Builds the three built-in adapters from `adapter-src/` through
//! `mmadapt-build` (compile for wasm32-unknown-unknown, split, verify) and
//! writes them, with `SHA256SUMS`, to `adapter-provider/wasm/`.
//!
//! ```text
//! cargo run -p regen-adapters                # rewrite adapter-provider/wasm/
//! cargo run -p regen-adapters -- --check     # rebuild elsewhere, compare
//! ```
//!
//! `--check` copies the committed sources (`git archive HEAD`) to a fresh
//! directory with another path, builds there with another target
//! directory, and fails unless every file equals the committed one: the
//! adapters are reproducible and up to date with adapter-src and the split
//! pass. `--src DIR` and `--target-dir DIR` choose the checkout and the
//! nested builds' target directory instead.

use anyhow::{bail, ensure, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variants: output name, and the features they are built with.
const VARIANTS: &[(&str, &[&str], bool)] = &[
    // (name, features, default features)
    ("command", &[], true),
    ("reactor", &["exit-with-code"], false),
    ("proxy", &["proxy"], false),
];

/// The checkout's root as panic messages show it, whatever the path.
const REMAPPED_ROOT: &str = "/mmadapt";

struct Args {
    check: bool,
    src: Option<PathBuf>,
    target_dir: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        check: false,
        src: None,
        target_dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => args.check = true,
            "--src" => args.src = Some(it.next().context("--src needs a directory")?.into()),
            "--target-dir" => {
                args.target_dir = Some(it.next().context("--target-dir needs a directory")?.into())
            }
            other => bail!("unknown argument `{other}` (see tools/regen-adapters/src/main.rs)"),
        }
    }
    Ok(args)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn committed_dir() -> PathBuf {
    repo_root().join("adapter-provider/wasm")
}

/// Builds every variant from the checkout at `root` into `out`, and writes
/// `out/SHA256SUMS`.
fn build_all(root: &Path, target_dir: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("{}", out.display()))?;
    let root = root
        .canonicalize()
        .with_context(|| format!("{}", root.display()))?;
    let mut sums = String::new();
    for (name, features, default_features) in VARIANTS {
        let mut adapter = mmadapt_build::Adapter::new(root.join("adapter-src"))
            // markers/ is a path dependency outside adapter-src: remap the
            // whole checkout, so its path is not in the bytes.
            .remap_path_prefix(&root, REMAPPED_ROOT)
            .features(features.iter().copied())
            .out_name(*name)
            .out_dir(out)
            .target_dir(target_dir.join(name))
            .rerun_if_changed(false);
        if !default_features {
            adapter = adapter.no_default_features();
        }
        let built = adapter
            .build()
            .with_context(|| format!("the {name} adapter"))?;
        eprintln!("{name}: {} marked regions", built.regions);
        for path in [&built.split_path, &built.unsplit_path] {
            let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
            let file = path.file_name().unwrap().to_string_lossy();
            sums.push_str(&format!("{}  {file}\n", hex(&Sha256::digest(&bytes))));
        }
    }
    std::fs::write(out.join("SHA256SUMS"), sums)?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `git archive HEAD` of the repository, unpacked in `dir`.
fn export_head(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let archive = Command::new("git")
        .arg("-C")
        .arg(repo_root())
        .args(["archive", "--format=tar", "HEAD"])
        .output()
        .context("cannot run git")?;
    ensure!(archive.status.success(), "git archive HEAD failed");
    let mut tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .context("cannot run tar")?;
    use std::io::Write;
    tar.stdin.take().unwrap().write_all(&archive.stdout)?;
    ensure!(tar.wait()?.success(), "tar failed");
    Ok(())
}

fn check(args: &Args) -> Result<()> {
    // A path that differs from the developer's in length and name.
    let scratch = std::env::temp_dir().join(format!(
        "regen-adapters-check-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos()
    ));
    let src = match &args.src {
        Some(src) => src.clone(),
        None => {
            let src = scratch.join("a-checkout-elsewhere");
            export_head(&src)?;
            src
        }
    };
    let target_dir = args
        .target_dir
        .clone()
        .unwrap_or_else(|| scratch.join("another-target"));
    let out = scratch.join("out");
    build_all(&src, &target_dir, &out)?;
    let mut differ = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&out)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    files.sort();
    for file in files {
        let rebuilt = std::fs::read(out.join(&file))?;
        let committed_path = committed_dir().join(&file);
        let committed = std::fs::read(&committed_path).unwrap_or_default();
        if rebuilt != committed {
            differ.push(format!(
                "{}: committed sha256 {}, rebuilt {}",
                committed_path.display(),
                hex(&Sha256::digest(&committed)),
                hex(&Sha256::digest(&rebuilt))
            ));
        }
    }
    if differ.is_empty() {
        eprintln!(
            "the adapters rebuilt in {} equal the committed ones",
            src.display()
        );
        let _ = std::fs::remove_dir_all(&scratch);
        return Ok(());
    }
    bail!(
        "rebuilt adapters differ from adapter-provider/wasm (run `cargo run -p regen-adapters` \
         if adapter-src or the split changed; the rebuild is kept in {}):\n{}",
        out.display(),
        differ.join("\n")
    )
}

fn main() {
    let result = parse_args().and_then(|args| {
        if args.check {
            check(&args)
        } else {
            let root = args.src.clone().unwrap_or_else(repo_root);
            let target_dir = args
                .target_dir
                .clone()
                .unwrap_or_else(|| repo_root().join("target/regen-adapters"));
            build_all(&root, &target_dir, &committed_dir())
        }
    });
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
