//! Random modules shaped like wasip1 programs, for `component new`: a
//! wasm-smith module that may import `wasi_snapshot_preview1` functions (with
//! their real signatures or wrong ones, and names that do not exist) and
//! other modules' functions, globals, tables and memories, and that usually
//! exports its memory as `memory` and a `_start`.
//!
//! Shared by `tests/properties.rs` and the fuzz target
//! `fuzz/fuzz_targets/component_new.rs` (which includes this file by path).

use arbitrary::{Result, Unstructured};

/// Imports a wasm-smith module may choose from, as WAT import fields: the
/// real preview1 signatures.
const IMPORTS: &[&str] = &[
    // Real preview1 signatures.
    r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))"#,
    r#"(import "wasi_snapshot_preview1" "args_get" (func (param i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "args_sizes_get" (func (param i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "environ_sizes_get" (func (param i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "fd_close" (func (param i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "fd_seek" (func (param i32 i64 i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "fd_prestat_get" (func (param i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func (param i32 i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "fd_fdstat_get" (func (param i32 i32) (result i32)))"#,
];

/// Imports `component new` must reject (each offered rarely, so that most
/// modules can become components): wrong signatures, names preview1 does
/// not have, other modules.
const BAD_IMPORTS: &[&str] = &[
    r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "proc_exit" (func (param i64) (result i32)))"#,
    r#"(import "wasi_snapshot_preview1" "random_get" (func (param i64 f32)))"#,
    r#"(import "wasi_snapshot_preview1" "no_such_function" (func))"#,
    r#"(import "wasi_snapshot_preview1" "memory" (memory 1))"#,
    r#"(import "wasi_snapshot_preview1" "args_get" (global i32))"#,
    // Other modules.
    r#"(import "env" "f" (func (param i32) (result i32)))"#,
    r#"(import "env" "g" (global (mut i32)))"#,
    r#"(import "env" "t" (table 1 funcref))"#,
    r#"(import "env" "memory" (memory 1))"#,
    r#"(import "wasi_snapshot_preview2" "x" (func))"#,
    r#"(import "" "" (func (result i64)))"#,
];

/// One generated main module.
pub fn main_module(u: &mut Unstructured) -> Result<Vec<u8>> {
    let mut fields = String::new();
    for import in IMPORTS {
        if u.ratio(1, 3)? {
            fields.push_str(import);
        }
    }
    for import in BAD_IMPORTS {
        if u.ratio(1, 40)? {
            fields.push_str(import);
        }
    }
    let available = wat::parse_str(format!("(module {fields})")).expect("import list parses");
    let memory64_enabled = u.ratio(1, 8)?;
    let gc_enabled = u.ratio(1, 8)?;
    let exceptions_enabled = u.ratio(1, 8)?;
    let threads_enabled = u.ratio(1, 8)?;
    let c = wasm_smith::Config {
        available_imports: Some(available),
        max_imports: 12,
        min_memories: 1,
        max_memories: 2,
        memory64_enabled,
        max_memory32_bytes: 16 * 65536,
        max_funcs: 8,
        max_instructions: 30,
        max_exports: 6,
        max_data_segments: 3,
        max_types: 12,
        max_type_size: 32,
        gc_enabled,
        exceptions_enabled,
        threads_enabled,
        ..wasm_smith::Config::default()
    };
    let smith = wasm_smith::Module::new(c, u)?.to_bytes();
    // Shape it like a program with walrus when walrus can read it.
    let Ok(mut module) = walrus::Module::from_buffer(&smith) else {
        return Ok(smith);
    };
    if u.ratio(7, 8)? {
        if let Some(memory) = module.memories.iter().next().map(|m| m.id()) {
            if module.exports.iter().all(|e| e.name != "memory") {
                module.exports.add("memory", memory);
            }
        }
    }
    if u.ratio(3, 4)? && module.exports.iter().all(|e| e.name != "_start") {
        // `_start` with its real type `() -> ()` usually, any function else.
        let start = if u.ratio(7, 8)? {
            let mut b = walrus::FunctionBuilder::new(&mut module.types, &[], &[]);
            // Call an import when there is one, so the adapter export it
            // resolves to is live.
            let import = module.funcs.iter().find_map(|f| match &f.kind {
                walrus::FunctionKind::Import(_)
                    if module.types.get(f.ty()).params().is_empty()
                        && module.types.get(f.ty()).results().is_empty() =>
                {
                    Some(f.id())
                }
                _ => None,
            });
            if let Some(f) = import {
                b.func_body().call(f);
            }
            b.finish(vec![], &mut module.funcs)
        } else {
            let first = module.funcs.iter().next().map(|f| f.id());
            match first {
                Some(f) => f,
                None => return Ok(module.emit_wasm()),
            }
        };
        module.exports.add("_start", start);
    }
    Ok(module.emit_wasm())
}
