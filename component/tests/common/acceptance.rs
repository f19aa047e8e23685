//! Differential acceptance against wit-component (issue 19): generated
//! preview1 modules, each turned into a component by wit-component with the
//! standard adapter (what `wasm-tools component new` does) and by mmadapt's
//! [`Encoder`] with its built-in adapters, side by side. Where wit-component
//! makes a component, mmadapt must make one that validates; where
//! wit-component refuses, mmadapt must refuse too, with one line. A panic in
//! mmadapt is a failure.
//!
//! Shared by `tests/acceptance.rs` (the property test and the long run) and
//! the fuzz target `fuzz/fuzz_targets/acceptance.rs`, which include this
//! file by path. docs/robustness.md, "Differential acceptance against
//! wit-component", has the results.

use arbitrary::{Result, Unstructured};
use mmadapt_component::{default_variant, BuiltinAdapters, Encoder, Variant};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME as PREVIEW1, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};
use wasmparser_component as wasmparser;

/// What a generated module is made of (the property test tallies by it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shape {
    /// Exports `_start` (a command); otherwise a reactor.
    pub command: bool,
    /// Carries a `component-type` section: this WIT world.
    pub world: Option<&'static str>,
    /// One function's body is wrapped in a legacy `try` (wasm-smith
    /// generates only the exnref form of exceptions).
    pub legacy_exceptions: bool,
}

/// A generated main module.
pub struct Case {
    pub main: Vec<u8>,
    pub shape: Shape,
}

/// The WIT package of the worlds a module may carry, and each world's core
/// imports and exports under wit-component's (legacy) names.
const WIT: &str = r#"
package acc:test;

interface host {
  f: func(x: u32) -> u32;
  log: func(msg: string);
  get: func() -> string;
}

world numbers {
  import host;
  export add: func(a: s32, b: s64) -> f64;
}

world strings {
  import greet: func(name: string) -> string;
  export api: interface {
    echo: func(s: list<u8>) -> list<u8>;
  }
}

world nothing {}
"#;

/// Per world: its name, the core imports it offers, the core exports it
/// requires (WAT fields).
const WORLDS: &[(&str, &str, &str)] = &[
    (
        "numbers",
        r#"(import "acc:test/host" "f" (func (param i32) (result i32)))
           (import "acc:test/host" "log" (func (param i32 i32)))
           (import "acc:test/host" "get" (func (param i32)))"#,
        r#"(func (export "add") (param i32 i64) (result f64) f64.const 0)"#,
    ),
    (
        "strings",
        r#"(import "$root" "greet" (func (param i32 i32 i32)))"#,
        r#"(func (export "api#echo") (param i32 i32) (result i32) i32.const 0)
           (func (export "cabi_post_api#echo") (param i32))"#,
    ),
    ("nothing", "", ""),
];

/// The standard adapter's exports that are not preview1 functions; a main
/// module may import them from `wasi_snapshot_preview1` too.
const STANDARD_EXTENSIONS: &[&str] = &[
    "adapter_close_badfd",
    "adapter_open_badfd",
    "adapter_monotonic_clock_set_paused",
    "reset_adapter_state",
];

/// The 46 preview1 functions with their real signatures, as WAT import
/// fields, read from the standard command adapter's exports.
fn preview1_imports() -> &'static [String] {
    static IMPORTS: OnceLock<Vec<String>> = OnceLock::new();
    IMPORTS.get_or_init(|| {
        adapter_function_imports(WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER, |name| {
            !name.contains(':')
                && !name.starts_with("cabi_")
                && !STANDARD_EXTENSIONS.contains(&name)
        })
    })
}

/// The adapter's exported functions that `keep` keeps, as WAT imports from
/// `wasi_snapshot_preview1` with the same types.
fn adapter_function_imports(adapter: &[u8], keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut types = Vec::new();
    let mut funcs = Vec::new();
    let mut imports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(adapter) {
        match payload.expect("the standard adapter parses") {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.expect("type").into_types() {
                        types.push(sub.unwrap_func().clone());
                    }
                }
            }
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let wasmparser::TypeRef::Func(t) = import.expect("import").ty {
                        funcs.push(t);
                    }
                }
            }
            wasmparser::Payload::FunctionSection(reader) => {
                funcs.extend(reader.into_iter().map(|t| t.expect("function")));
            }
            wasmparser::Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("export");
                    if export.kind != wasmparser::ExternalKind::Func || !keep(export.name) {
                        continue;
                    }
                    let ty = &types[funcs[export.index as usize] as usize];
                    let list = |kind: &str, tys: &[wasmparser::ValType]| {
                        tys.iter().fold(String::new(), |mut s, t| {
                            let _ = write!(s, " ({kind} {t})");
                            s
                        })
                    };
                    imports.push(format!(
                        r#"(import "{PREVIEW1}" "{}" (func{}{}))"#,
                        export.name,
                        list("param", ty.params()),
                        list("result", ty.results())
                    ));
                }
            }
            _ => {}
        }
    }
    assert_eq!(
        imports.len(),
        46,
        "the standard adapter's preview1 functions"
    );
    imports
}

/// Imports that `wasi_snapshot_preview1` does not provide as asked (each
/// offered rarely): wrong signatures, names preview1 lacks, names only one
/// of the two adapters exports, other kinds, other modules.
const ODD_IMPORTS: &[(&str, &str, &str)] = &[
    (PREVIEW1, "fd_write", "func (param i32) (result i32)"),
    (PREVIEW1, "proc_exit", "func (param i64)"),
    (PREVIEW1, "no_such_function", "func"),
    (
        PREVIEW1,
        "adapter_open_badfd",
        "func (param i32) (result i32)",
    ),
    (PREVIEW1, "reset_adapter_state", "func"),
    (
        PREVIEW1,
        "cabi_import_realloc",
        "func (param i32 i32 i32 i32) (result i32)",
    ),
    (
        PREVIEW1,
        "cabi_realloc",
        "func (param i32 i32 i32 i32) (result i32)",
    ),
    (PREVIEW1, "__heap_base", "global i32"),
    (PREVIEW1, "memory", "memory 1"),
    ("env", "f", "func (param i32) (result i32)"),
    ("env", "memory", "memory 1"),
    ("wasi_snapshot_preview2", "x", "func"),
];

/// Exports besides `memory`, `_start` and a world's, each offered rarely.
const EXTRA_EXPORTS: &[&str] = &[
    r#"(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)"#,
    r#"(func (export "foo") (param i32) (result i64) i64.const 0)"#,
    r#"(global (export "g") i32 (i32.const 0))"#,
    r#"(table (export "t") 1 funcref)"#,
    r#"(tag (export "e") (param i32))"#,
    r#"(func (export "cabi_post_foo") (param i32))"#,
];

/// The `memory` export that gets a page size of 1 byte.
const CUSTOM_PAGE_SIZE: &str = r#"(memory (export "memory") 2)"#;

/// The main module's `memory` export (WAT), or none.
fn memory_export(u: &mut Unstructured) -> Result<&'static str> {
    Ok(match u.int_in_range(0..=31)? {
        0 => "",
        1 => r#"(memory (export "memory") 1 2 shared)"#,
        2 => r#"(memory (export "memory") i64 1)"#,
        // wasm-smith's `exports` does not take a custom page size: made
        // so after generation (`with_custom_page_size`).
        3 => CUSTOM_PAGE_SIZE,
        4 => r#"(memory (export "memory") 0)"#,
        5..=9 => r#"(memory (export "memory") 1 16)"#,
        _ => r#"(memory (export "memory") 1)"#,
    })
}

/// One generated main module: wasm-smith with every proposal it can
/// generate, importing from the preview1 functions (and, rarely, odd
/// imports), exporting `memory` and, for a command, `_start`.
pub fn case(u: &mut Unstructured) -> Result<Case> {
    let command = u.ratio(1, 2)?;
    let world = if u.ratio(1, 4)? {
        Some(*u.choose(WORLDS)?)
    } else {
        None
    };
    let mut imports = String::new();
    for import in preview1_imports() {
        if u.ratio(1, 4)? {
            imports.push_str(import);
        }
    }
    for (module, name, ty) in ODD_IMPORTS {
        if u.ratio(1, 60)? {
            let _ = write!(imports, r#"(import "{module}" "{name}" ({ty}))"#);
        }
    }
    let mut exports = memory_export(u)?.to_string();
    if command {
        exports.push_str(if u.ratio(1, 30)? {
            r#"(func (export "_start") (param i32))"#
        } else {
            r#"(func (export "_start"))"#
        });
    } else if u.ratio(1, 2)? {
        exports.push_str(r#"(func (export "_initialize"))"#);
    }
    for export in EXTRA_EXPORTS {
        if u.ratio(1, 20)? {
            exports.push_str(export);
        }
    }
    if let Some((_, world_imports, world_exports)) = world {
        imports.push_str(world_imports);
        // A world's exports, all of them usually; its imports may need
        // `cabi_realloc`.
        if u.ratio(7, 8)? {
            exports.push_str(world_exports);
        }
        if u.ratio(1, 2)? && !exports.contains("cabi_realloc") {
            exports.push_str(EXTRA_EXPORTS[0]);
        }
    }
    let parse = |fields: &str| wat::parse_str(format!("(module {fields})")).expect("WAT parses");
    let config = wasm_smith::Config {
        available_imports: Some(parse(&imports)),
        exports: Some(parse(&exports)),
        max_imports: 24,
        max_memories: 3,
        max_memory32_bytes: 16 * 65536,
        max_memory64_bytes: 16 * 65536,
        max_tables: 2,
        max_table_elements: 64,
        max_funcs: 8,
        max_instructions: 40,
        max_nesting_depth: 6,
        max_globals: 6,
        max_tags: 3,
        max_data_segments: 3,
        max_element_segments: 3,
        max_elements: 8,
        max_types: 16,
        max_type_size: 32,
        // Every proposal wasm-smith generates (multi-value, bulk memory,
        // reference types, sign extension, saturating conversions and
        // SIMD are on by default).
        exceptions_enabled: true,
        gc_enabled: true,
        tail_call_enabled: true,
        simd_enabled: true,
        relaxed_simd_enabled: true,
        memory64_enabled: true,
        extended_const_enabled: true,
        wide_arithmetic_enabled: true,
        custom_page_sizes_enabled: true,
        threads_enabled: true,
        shared_everything_threads_enabled: u.ratio(1, 8)?,
        custom_descriptors_enabled: u.ratio(1, 8)?,
        generate_custom_sections: u.ratio(1, 8)?,
        ..wasm_smith::Config::default()
    };
    let mut main = wasm_smith::Module::new(config, u)?.to_bytes();
    if exports.starts_with(CUSTOM_PAGE_SIZE) {
        with_custom_page_size(&mut main);
    }
    let legacy_exceptions = u.ratio(1, 4)?;
    let legacy_exceptions = legacy_exceptions && wrap_in_legacy_try(&mut main, u)?;
    if let Some((name, _, _)) = world {
        embed_world(&mut main, name);
    }
    Ok(Case {
        main,
        shape: Shape {
            command,
            world: world.map(|(name, _, _)| name),
            legacy_exceptions,
        },
    })
}

/// Appends WIT world `name` of [`WIT`] as the module's `component-type`
/// section, as wit-bindgen does.
fn embed_world(main: &mut Vec<u8>, name: &str) {
    // wit-component's default metadata holds an empty `Resolve` (this keeps
    // wit-parser out of the dependencies).
    let mut resolve = wit_component::metadata::Bindgen::default().resolve;
    let package = resolve.push_str("acceptance.wit", WIT).expect("WIT parses");
    let world = resolve
        .select_world(&[package], Some(name))
        .expect("the world exists");
    wit_component::embed_component_metadata(
        main,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .expect("the world embeds");
}

/// Wraps the body of one defined function without parameters in a legacy
/// `try` block of the function's type, ended by `catch_all` (then
/// `unreachable`) or by `delegate 0`. Branches to the function's label now
/// reach the `try`'s, which has the same type. False when no function
/// qualifies or the module does not parse.
fn wrap_in_legacy_try(main: &mut Vec<u8>, u: &mut Unstructured) -> Result<bool> {
    let mut no_params = Vec::new();
    let mut func_types = Vec::new();
    let mut bodies = Vec::new();
    let mut sections = Vec::new();
    let mut code = None;
    for payload in wasmparser::Parser::new(0).parse_all(main) {
        let Ok(payload) = payload else {
            return Ok(false);
        };
        match &payload {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader.clone() {
                    let Ok(group) = group else {
                        return Ok(false);
                    };
                    for sub in group.into_types() {
                        no_params.push(matches!(
                            &sub.composite_type.inner,
                            wasmparser::CompositeInnerType::Func(f) if f.params().is_empty()
                        ));
                    }
                }
            }
            wasmparser::Payload::FunctionSection(reader) => {
                for ty in reader.clone() {
                    let Ok(ty) = ty else {
                        return Ok(false);
                    };
                    func_types.push(ty);
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                let Ok(ops) = body.get_operators_reader() else {
                    return Ok(false);
                };
                let range = body.range();
                bodies.push((
                    range.start as usize,
                    ops.original_position() as usize,
                    range.end as usize,
                ));
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            if id == 10 {
                code = Some(sections.len());
            }
            sections.push((id, range.start as usize..range.end as usize));
        }
    }
    let candidates: Vec<usize> = (0..bodies.len())
        .filter(|&i| {
            func_types
                .get(i)
                .is_some_and(|&t| no_params.get(t as usize) == Some(&true))
                && main[bodies[i].2 - 1] == 0x0b
        })
        .collect();
    let (Some(code), false) = (code, candidates.is_empty()) else {
        return Ok(false);
    };
    let chosen = *u.choose(&candidates)?;
    let delegate = u.ratio(1, 3)?;
    let mut section = Vec::new();
    leb(&mut section, bodies.len() as u64);
    for (i, &(start, ops, end)) in bodies.iter().enumerate() {
        let mut body = main[start..ops].to_vec();
        if i == chosen {
            body.push(0x06); // try, with the function's type as block type
            sleb(&mut body, i64::from(func_types[i]));
            body.extend_from_slice(&main[ops..end - 1]);
            if delegate {
                body.extend_from_slice(&[0x18, 0x00]); // delegate 0
            } else {
                body.extend_from_slice(&[0x19, 0x00, 0x0b]); // catch_all unreachable end
            }
            body.push(0x0b);
        } else {
            body.extend_from_slice(&main[ops..end]);
        }
        leb(&mut section, body.len() as u64);
        section.extend_from_slice(&body);
    }
    replace_section(main, &sections, code, &section);
    Ok(true)
}

/// Gives the last defined memory (the one wasm-smith adds for the `memory`
/// export) a page size of 1 byte.
fn with_custom_page_size(main: &mut Vec<u8>) {
    let mut sections = Vec::new();
    let mut memories = None;
    for payload in wasmparser::Parser::new(0).parse_all(main) {
        let payload = payload.expect("wasm-smith's module parses");
        if let wasmparser::Payload::MemorySection(reader) = &payload {
            let all: std::result::Result<Vec<_>, _> = reader.clone().into_iter().collect();
            memories = Some((sections.len(), all.expect("memory section")));
        }
        if let Some((id, range)) = payload.as_section() {
            sections.push((id, range.start as usize..range.end as usize));
        }
    }
    let (index, mut memories) = memories.expect("the module defines `memory`");
    memories.last_mut().expect("a memory").page_size_log2 = Some(0);
    let mut section = Vec::new();
    leb(&mut section, memories.len() as u64);
    for m in &memories {
        let flags = u8::from(m.maximum.is_some())
            | u8::from(m.shared) << 1
            | u8::from(m.memory64) << 2
            | u8::from(m.page_size_log2.is_some()) << 3;
        section.push(flags);
        leb(&mut section, m.initial);
        if let Some(max) = m.maximum {
            leb(&mut section, max);
        }
        if let Some(log2) = m.page_size_log2 {
            leb(&mut section, u64::from(log2));
        }
    }
    replace_section(main, &sections, index, &section);
}

/// `main` again from its `sections` (id, contents range), with section
/// number `index`'s contents replaced by `contents`.
fn replace_section(
    main: &mut Vec<u8>,
    sections: &[(u8, std::ops::Range<usize>)],
    index: usize,
    contents: &[u8],
) {
    let mut out = main[..8].to_vec();
    for (i, (id, range)) in sections.iter().enumerate() {
        let contents = if i == index {
            contents
        } else {
            &main[range.clone()]
        };
        out.push(*id);
        leb(&mut out, contents.len() as u64);
        out.extend_from_slice(contents);
    }
    *main = out;
}

fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0) {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// One side's verdict on a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A component (that validates, for mmadapt's).
    Component,
    /// A refusal, with the error (`{:#}`, the whole chain).
    Refused(String),
}

/// Both sides' verdicts on a module: the same, or different for a known
/// reason.
#[derive(Clone, Debug)]
pub struct Pair {
    pub wit_component: Verdict,
    pub mmadapt: Verdict,
    /// Why the verdicts differ, when they do.
    pub explained: Option<&'static str>,
}

/// Why mmadapt refuses a module that imports one of the standard adapter's
/// [`STANDARD_EXTENSIONS`]: they are not preview1 functions but hooks of
/// the standard adapter's own (wasmtime's tests use them), which mmadapt's
/// adapter does not have.
pub const STANDARD_EXTENSION: &str =
    "imports a function that only the standard adapter exports, outside preview1";

/// `wasm-tools component new` with the standard adapter of the variant
/// mmadapt gives the module (the adapter wasm-tools users pass for it):
/// wit-component validates the module and the component.
pub fn wit_component(main: &[u8]) -> anyhow::Result<Vec<u8>> {
    let adapter = match default_variant(main) {
        Variant::Command => WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        Variant::Reactor => WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        Variant::Proxy => WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER,
    };
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(main)?
        .adapter(PREVIEW1, adapter)?
        .encode()
}

/// `mmadapt component new`: the [`Encoder`] with the built-in adapters,
/// validating.
pub fn mmadapt(main: &[u8], builtin: BuiltinAdapters) -> anyhow::Result<Vec<u8>> {
    let mut encoder = Encoder::with_builtin_adapters(builtin);
    encoder.validate(true).module(main)?;
    encoder.encode()
}

/// Runs both on `main` and compares. `Err` describes a mismatch: mmadapt
/// refuses what wit-component accepts or the other way round, makes a
/// component that does not validate, refuses with more than one line or
/// with nothing, or panics.
pub fn check(main: &[u8], builtin: BuiltinAdapters) -> std::result::Result<Pair, String> {
    let theirs = match catch_unwind(AssertUnwindSafe(|| wit_component(main))) {
        Ok(Ok(_)) => Verdict::Component,
        Ok(Err(e)) => Verdict::Refused(format!("{e:#}")),
        Err(panic) => Verdict::Refused(format!(
            "wit-component panicked: {}",
            panic_message(&*panic)
        )),
    };
    let ours = match catch_unwind(AssertUnwindSafe(|| mmadapt(main, builtin))) {
        Ok(Ok(component)) => match mmadapt_component::validate(&component) {
            Ok(()) => Verdict::Component,
            Err(e) => return Err(format!("mmadapt made an invalid component: {e:#}")),
        },
        Ok(Err(e)) => {
            let chain = format!("{e:#}");
            if e.to_string().is_empty() || chain.contains('\n') {
                return Err(format!("mmadapt's error is not one line: {chain:?}"));
            }
            Verdict::Refused(chain)
        }
        Err(panic) => return Err(format!("mmadapt panicked: {}", panic_message(&*panic))),
    };
    let explained = match (&theirs, &ours) {
        (Verdict::Component, Verdict::Refused(e))
            if STANDARD_EXTENSIONS.iter().any(|name| {
                *e == format!(
                    "imports `{PREVIEW1}`.`{name}`, which the preview1 adapter does not provide"
                )
            }) =>
        {
            Some(STANDARD_EXTENSION)
        }
        (Verdict::Component, Verdict::Refused(e)) => {
            return Err(format!(
                "wit-component makes a component, mmadapt refuses: {e}"
            ));
        }
        (Verdict::Refused(e), Verdict::Component) => {
            return Err(format!(
                "wit-component refuses ({e}), mmadapt makes a component"
            ));
        }
        _ => None,
    };
    Ok(Pair {
        wit_component: theirs,
        mmadapt: ours,
        explained,
    })
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".to_string())
}
