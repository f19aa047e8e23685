//! Component assembly: a preview1 main module plus a split (two-memory)
//! adapter becomes a WASI 0.2 component in which the adapter keeps its state
//! in its private memory. See docs/component-assembly.md.
//!
//! wit-component refuses adapters with a memory of their own, so [`assemble`]:
//! 1. computes, per adapter export, the imports it keeps alive ([`trim`]);
//! 2. builds a stand-in adapter wit-component accepts: same exports and
//!    imports, no memory ([`standin`]);
//! 3. lets wit-component lay out the component around the stand-in;
//! 4. trims the real adapter to the stand-in's surviving exports and rewrites
//!    the component: real adapter in, a core alias of its private memory, and
//!    that memory as the `memory` option of every lowering that feeds the
//!    adapter ([`rewrite`]);
//! 5. appends second lowerings of the bulk file-data imports into the main
//!    memory, for the adapter's zero-copy reads and writes ([`zero_copy`]);
//! 6. validates (unless told not to).
//!
//! The main module is embedded as wit-component embeds it: code and custom
//! sections unchanged.

pub mod checks;
pub mod defer_data;
pub mod pack_data;
pub mod rewrite;
pub mod standin;
pub mod trim;
pub mod world;
pub mod zero_copy;

use anyhow::{ensure, Context, Result};
use std::collections::BTreeSet;
use wasmparser_component as wasmparser;

/// The import module name of preview1, which the adapter polyfills.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";

/// What to build.
pub struct Request<'a> {
    /// The preview1 main module.
    pub main: &'a [u8],
    /// The split adapter for `wasi_snapshot_preview1`.
    pub adapter: &'a [u8],
    /// Other adapters (`--adapt NAME=FILE`), given to wit-component as they
    /// are: ordinary single-memory adapters.
    pub other_adapters: &'a [(String, Vec<u8>)],
    /// Validate the result (`--skip-validation` turns it off).
    pub validate: bool,
    /// Keep the adapter's name section (`--debug-names`).
    pub debug_names: bool,
}

/// Every intermediate product, for debugging and tests.
pub struct Assembly {
    pub standin: Vec<u8>,
    pub standin_component: Vec<u8>,
    /// Empty when the component has no adapter.
    pub real_adapter: Vec<u8>,
    pub component: Vec<u8>,
    /// `None` when wit-component left the adapter out (the main module
    /// imports nothing from preview1): the component is then its own.
    pub report: Option<rewrite::Report>,
}

/// Builds the component.
pub fn assemble(req: &Request<'_>) -> Result<Assembly> {
    let other_names: Vec<&str> = req.other_adapters.iter().map(|(n, _)| n.as_str()).collect();
    checks::check_main(req.main, req.adapter, &other_names)?;

    let mut reach = trim::export_reach(req.adapter)?;
    trim::drop_unneeded_realloc(&mut reach);
    let custom = standin::component_type_sections(req.adapter)?;
    let standin = standin::build(req.adapter, &reach, &custom)?;

    let mut encoder = wit_component::ComponentEncoder::default();
    // The component is validated once, after the rewrite (step 5); the
    // stand-in component never runs.
    encoder
        .validate(false)
        .module(req.main)
        .context("wit-component rejected the main module")?
        .adapter(PREVIEW1, &standin)
        .context("wit-component rejected the adapter")?;
    for (name, bytes) in req.other_adapters {
        encoder
            .adapter(name, bytes)
            .with_context(|| format!("wit-component rejected adapter `{name}`"))?;
    }
    let standin_component = encoder
        .encode()
        .context("wit-component could not build the component")?;

    let standin_exports: BTreeSet<String> = reach.iter().map(|r| r.name.clone()).collect();
    let Some(report) = rewrite::plan(&standin_component, &standin_exports)? else {
        if req.validate {
            validate(&standin_component)?;
        }
        return Ok(Assembly {
            standin,
            component: standin_component.clone(),
            standin_component,
            real_adapter: Vec::new(),
            report: None,
        });
    };
    let real_adapter = trim::trim(req.adapter, &report.adapter_exports, req.debug_names)?;

    // The real adapter may only import what the component gives the stand-in.
    let real_imports = module_imports(&real_adapter)?;
    let missing: Vec<_> = real_imports.difference(&report.adapter_imports).collect();
    ensure!(
        missing.is_empty(),
        "the trimmed adapter imports {missing:?}, which the component does not provide"
    );

    let component = rewrite::apply(&standin_component, &report, &real_adapter)?;
    // `check_main` has refused a shared main memory, which zero-copy's
    // borrowed result record would need to stay off for.
    let component = zero_copy::append(&component, &report, &checks::exports_of(&real_adapter)?)
        .context("adding the zero-copy lowerings")?;
    if req.validate {
        validate(&component)?;
    }
    Ok(Assembly {
        standin,
        standin_component,
        real_adapter,
        component,
        report: Some(report),
    })
}

fn module_imports(module: &[u8]) -> Result<BTreeSet<trim::ImportKey>> {
    let mut imports = BTreeSet::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(s) = payload? {
            for i in s.into_imports() {
                let i = i?;
                imports.insert((i.module.to_string(), i.name.to_string()));
            }
        }
    }
    Ok(imports)
}

/// The features a finished component uses.
pub fn features() -> wasmparser::WasmFeatures {
    wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::COMPONENT_MODEL
        | wasmparser::WasmFeatures::MULTI_MEMORY
}

/// Validates a component with the component model and multi-memory.
pub fn validate(component: &[u8]) -> Result<()> {
    wasmparser::Validator::new_with_features(features())
        .validate_all(component)
        .context("the assembled component does not validate")?;
    Ok(())
}
