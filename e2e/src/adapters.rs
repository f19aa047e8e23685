//! Making components out of wasip1 modules: with mmadapt, and with the
//! standard adapter (crate `wasi-preview1-component-adapter-provider`) the
//! way `wasm-tools component new --adapt` uses it.

use anyhow::Result;

/// The component mmadapt makes (the built-in command adapter).
pub fn mmadapt(main: &[u8]) -> Result<Vec<u8>> {
    mmadapt::componentize(
        main,
        &mmadapt::ComponentOptions {
            validate: true,
            ..Default::default()
        },
    )
}

/// The component the standard adapter makes.
pub fn standard(main: &[u8]) -> Result<Vec<u8>> {
    with_adapter(
        main,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER.to_vec(),
    )
}

/// The component made with `adapter` for `wasi_snapshot_preview1`.
fn with_adapter(main: &[u8], adapter: Vec<u8>) -> Result<Vec<u8>> {
    mmadapt::componentize(
        main,
        &mmadapt::ComponentOptions {
            adapters: vec![("wasi_snapshot_preview1".into(), adapter)],
            validate: true,
            ..Default::default()
        },
    )
}

/// The component the standard adapter's proxy variant makes (for
/// `wasi:http/incoming-handler` modules, as `wasm-tools component new
/// --adapt wasi_snapshot_preview1=wasi_snapshot_preview1.proxy.wasm`).
pub fn standard_proxy(main: &[u8]) -> Result<Vec<u8>> {
    with_adapter(
        main,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER.to_vec(),
    )
}

/// The component mmadapt makes with the **integrity-check** adapter (see
/// [`integrity_adapter`]) in place of the built-in one.
pub fn mmadapt_integrity(main: &[u8]) -> Result<Vec<u8>> {
    with_adapter(main, integrity_adapter()?)
}

/// adapter-src built with its `integrity-check` feature (command variant,
/// release profile, `wasm32-unknown-unknown`, as `tools/regen-adapters`
/// builds the shipped one) and split with mmadapt's own split
/// ([`mmadapt::split::split_module`]). Every preview1 function then checks
/// the private memory on entry and exit and traps with a message if an
/// invariant fails (adapter-src/src/integrity.rs).
///
/// Built at most once per process, and only when adapter-src or markers
/// changed: the split adapter and a stamp are kept under
/// `<target>/e2e-programs/integrity-adapter/`. Two cargo builds: the first
/// shows where the read-only data ends (the start of the `.data` segment),
/// the second bakes that address in (`MMADAPT_INTEGRITY_RODATA_END`) so the
/// adapter can checksum its constant data; the layout of the data does not
/// depend on that constant (it is only in code), which is checked.
pub fn integrity_adapter() -> Result<Vec<u8>> {
    use std::sync::{Mutex, OnceLock};
    static MEMO: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    static BUILDING: Mutex<()> = Mutex::new(());
    let r = MEMO.get_or_init(|| {
        let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
        build_integrity_adapter().map_err(|e| format!("{e:#}"))
    });
    r.clone().map_err(|e| anyhow::anyhow!(e))
}

fn build_integrity_adapter() -> Result<Vec<u8>> {
    use anyhow::{bail, Context};
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    use std::path::{Path, PathBuf};

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap_or(root);
    let out = crate::programs::out_dir().join("integrity-adapter");
    std::fs::create_dir_all(&out)?;

    // The stamp: every source the adapter is built from.
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir)? {
            let p = e?.path();
            if p.is_dir() {
                walk(&p, files)?;
            } else {
                files.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(&root.join("adapter-src/src"), &mut files)?;
    walk(&root.join("markers/src"), &mut files)?;
    for f in [
        "adapter-src/Cargo.toml",
        "adapter-src/Cargo.lock",
        "adapter-src/build.rs",
        "markers/Cargo.toml",
        "rust-toolchain.toml",
    ] {
        files.push(root.join(f));
    }
    files.sort();
    let mut h = DefaultHasher::new();
    for f in &files {
        f.hash(&mut h);
        std::fs::read(f)
            .with_context(|| format!("reading {}", f.display()))?
            .hash(&mut h);
    }
    let key = format!("{:016x}\n", h.finish());
    let wasm = out.join("adapter-command.integrity.wasm");
    let stamp = out.join("adapter-command.integrity.stamp");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(key.as_str()) {
        if let Ok(bytes) = std::fs::read(&wasm) {
            return Ok(bytes);
        }
    }
    let _ = std::fs::remove_file(&stamp);

    // The build API's nested build, as tools/regen-adapters uses it: release
    // profile, `--locked`, the outer build's flags removed.
    let adapter = mmadapt_build::Adapter::new(root.join("adapter-src"))
        .features(["integrity-check"])
        .target_dir(out.join("target"))
        .out_dir(&out)
        .remap_path_prefix(&root, "/mmadapt");
    let build = |rodata_end: Option<u32>| -> Result<Vec<u8>> {
        let adapter = match rodata_end {
            Some(end) => adapter
                .clone()
                .env("MMADAPT_INTEGRITY_RODATA_END", end.to_string()),
            None => adapter.clone().env_remove("MMADAPT_INTEGRITY_RODATA_END"),
        };
        let wasm = adapter
            .compile()
            .context("building adapter-src with integrity-check")?
            .wasm_path;
        std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))
    };
    let first = build(None)?;
    let rodata_end = rodata_end(&first)?;
    let second = build(Some(rodata_end))?;
    if self::rodata_end(&second)? != rodata_end {
        bail!("the integrity adapter's data layout moved between its two builds");
    }
    let split = mmadapt::split::split_module("adapter-src (integrity-check)", &second, false)?;
    let tmp = out.join("adapter-command.integrity.tmp.wasm");
    std::fs::write(&tmp, &split)?;
    std::fs::rename(&tmp, &wasm)?;
    std::fs::write(&stamp, key)?;
    Ok(split)
}

/// The start of the second active data segment (`.data`) of an unsplit
/// adapter, i.e. the end of its read-only data (wasm-ld puts `.rodata`
/// first, then `.data`).
fn rodata_end(module: &[u8]) -> Result<u32> {
    use anyhow::bail;
    use wasmparser_component::{DataKind, Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(module) {
        let Payload::DataSection(section) = payload? else {
            continue;
        };
        let mut offsets = Vec::new();
        for data in section {
            let DataKind::Active {
                memory_index: 0,
                offset_expr,
            } = data?.kind
            else {
                bail!("unexpected data segment kind in the adapter");
            };
            let mut ops = offset_expr.get_operators_reader();
            let (Operator::I32Const { value }, Operator::End) = (ops.read()?, ops.read()?) else {
                bail!("unexpected data segment offset expression in the adapter");
            };
            offsets.push(value as u32);
        }
        offsets.sort();
        return match offsets.get(1) {
            Some(&o) => Ok(o),
            None => bail!("the adapter has no `.data` segment after its read-only data"),
        };
    }
    bail!("the adapter has no data section")
}
