//! A third party's adapter: examples/mylog-adapter, the legacy import
//! module `mylog` on `wasi:cli/stderr`, built with the build API
//! (`mmadapt-build`), used beside the built-in preview1 adapter for
//! examples/mylog-main.wat, and run on wasmtime.

use anyhow::{Context, Result};
use mmadapt_e2e::{component, inputs::Run, outcome::Exit, programs};
use std::path::{Path, PathBuf};
use wasmparser_component as wasmparser;

fn repo() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    dir.canonicalize().unwrap_or(dir)
}

/// The split mylog adapter, built into the e2e out dir.
fn mylog_adapter() -> Result<Vec<u8>> {
    let built = mmadapt_build::Adapter::new(repo().join("examples/mylog-adapter"))
        .out_dir(programs::out_dir().join("mylog-adapter"))
        .out_name("mylog")
        .build()?;
    std::fs::read(&built.split_path).with_context(|| built.split_path.display().to_string())
}

/// What one core module of a component has: its exports, memories imported
/// and defined, and whether any instruction writes memory 0.
#[derive(Debug, Default)]
struct Core {
    exports: Vec<String>,
    imported_memories: u32,
    defined_memories: u32,
    writes_memory_0: Vec<String>,
    reads_memory_0: usize,
}

/// The core modules of `component`, nested ones included.
fn core_modules(component: &[u8]) -> Result<Vec<Core>> {
    use wasmparser::{MemArgTarget, Operator as O, Payload, TypeRef};
    let mut modules = Vec::new();
    let mut current: Option<Core> = None;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        match payload? {
            Payload::ModuleSection { .. } => current = Some(Core::default()),
            Payload::ImportSection(s) if current.is_some() => {
                for import in s.into_imports() {
                    if matches!(import?.ty, TypeRef::Memory(_)) {
                        current.as_mut().unwrap().imported_memories += 1;
                    }
                }
            }
            Payload::MemorySection(s) if current.is_some() => {
                current.as_mut().unwrap().defined_memories += s.count();
            }
            Payload::ExportSection(s) if current.is_some() => {
                for export in s {
                    current.as_mut().unwrap().exports.push(export?.name.into());
                }
            }
            Payload::CodeSectionEntry(body) if current.is_some() => {
                let core = current.as_mut().unwrap();
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    let op = ops.read()?;
                    let write = match &op {
                        O::I32Store { memarg }
                        | O::I64Store { memarg }
                        | O::F32Store { memarg }
                        | O::F64Store { memarg }
                        | O::I32Store8 { memarg }
                        | O::I32Store16 { memarg }
                        | O::I64Store8 { memarg }
                        | O::I64Store16 { memarg }
                        | O::I64Store32 { memarg }
                        | O::V128Store { memarg } => memarg.target == MemArgTarget::Memory(0),
                        O::MemoryCopy { dst_mem, .. } => *dst_mem == 0,
                        O::MemoryFill { mem }
                        | O::MemoryInit { mem, .. }
                        | O::MemoryGrow { mem } => *mem == 0,
                        _ => false,
                    };
                    if write {
                        core.writes_memory_0.push(format!("{op:?}"));
                    }
                    let read = match &op {
                        O::I32Load { memarg }
                        | O::I64Load { memarg }
                        | O::F32Load { memarg }
                        | O::F64Load { memarg }
                        | O::I32Load8U { memarg }
                        | O::I32Load8S { memarg }
                        | O::I32Load16U { memarg }
                        | O::I32Load16S { memarg } => memarg.target == MemArgTarget::Memory(0),
                        O::MemoryCopy { src_mem, .. } => *src_mem == 0,
                        _ => false,
                    };
                    core.reads_memory_0 += usize::from(read);
                }
            }
            Payload::End(_) => {
                if let Some(core) = current.take() {
                    modules.push(core);
                }
            }
            _ => {}
        }
    }
    Ok(modules)
}

#[test]
fn mylog_adapter_runs_beside_the_preview1_adapter() -> Result<()> {
    let adapter = mylog_adapter()?;
    let main = wat::parse_file(repo().join("examples/mylog-main.wat"))?;
    let component = mmadapt::componentize(
        &main,
        &mmadapt::ComponentOptions {
            adapters: vec![("mylog".into(), adapter)],
            validate: true,
            ..Default::default()
        },
    )?;

    let out = component::run(&component, &Run::new("mylog-main"))?;
    // The main module traps if its memory changed during the mylog calls.
    assert_eq!(out.exit, Exit::Code(0), "stderr: {}", out.stderr_str());
    assert_eq!(out.stdout_str(), "count=3\n");
    // The 300-byte line goes through the adapter's 256-byte buffer in two
    // writes, which stderr shows as one line.
    let long = "x".repeat(300);
    assert_eq!(
        out.stderr_str(),
        format!("[mylog 1] hello from main\n[mylog 2] a second line\n[mylog 3] {long}\n")
    );

    let modules = core_modules(&component)?;
    let mylog = modules
        .iter()
        .find(|m| m.exports.iter().any(|e| e == "log") && m.exports.iter().any(|e| e == "count"))
        .context("no core module exports mylog's functions")?;
    // Both memories imported: the main module's (memory 0) and its own
    // private memory, from a private module that defines it.
    assert_eq!(
        (mylog.imported_memories, mylog.defined_memories),
        (2, 0),
        "{mylog:?}"
    );
    let private_modules = modules
        .iter()
        .filter(|m| {
            m.defined_memories == 1
                && m.exports
                    .iter()
                    .any(|e| e == mmadapt_passes::PRIVATE_MEMORY)
        })
        .count();
    assert_eq!(
        private_modules, 2,
        "a private module per two-memory adapter"
    );
    // It reads the main memory (copy-in) and never writes it.
    assert!(mylog.reads_memory_0 > 0, "{mylog:?}");
    assert!(mylog.writes_memory_0.is_empty(), "{mylog:?}");
    // The preview1 adapter has a private memory of its own too.
    let preview1 = modules
        .iter()
        .find(|m| m.exports.iter().any(|e| e == "fd_write"))
        .context("no core module exports fd_write")?;
    assert_eq!(
        (preview1.imported_memories, preview1.defined_memories),
        (2, 0),
        "{preview1:?}"
    );
    Ok(())
}
