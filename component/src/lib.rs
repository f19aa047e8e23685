//! Component assembly: a preview1 main module plus split (two-memory)
//! adapters become a WASI 0.2 component in which each adapter keeps its
//! state in its own private memory. See docs/component-assembly.md. The
//! entry point is [`Encoder`] (shaped like wit-component's
//! `ComponentEncoder`), which chooses the adapters and calls [`assemble`].
//!
//! wit-component refuses adapters with a memory of their own, so [`assemble`]:
//! 1. computes, per adapter export, the imports it keeps alive ([`trim`]);
//! 2. builds, per split adapter, a stand-in wit-component accepts: same
//!    exports and imports, no memory ([`standin`]);
//! 3. lets wit-component lay out the component around the stand-ins;
//! 4. per adapter, trims the real adapter to its stand-in's surviving
//!    exports and rewrites the component: real adapter in, a core alias of
//!    its private memory, and that memory as the `memory` option of every
//!    lowering that feeds the adapter ([`rewrite`]);
//! 5. appends second lowerings of the bulk file-data imports into the main
//!    memory, for the preview1 adapter's zero-copy reads and writes
//!    ([`zero_copy`]);
//! 6. splices the main module in ([`main_standin`]): wit-component and the
//!    rewrites work on a stand-in of it with no code or data, so that the
//!    main module is copied once, into the output;
//! 7. validates (unless told not to).
//!
//! The main module is embedded as wit-component embeds it: code and custom
//! sections unchanged.

pub mod checks;
pub mod defer_data;
pub mod elem_fixup;
pub mod encoder;
mod index_space;
pub mod main_standin;
pub mod module_facts;
pub mod pack_data;
pub mod private_module;
pub mod rewrite;
pub mod standin;
pub mod trim;
pub mod variant;
pub mod world;
pub mod zero_copy;

pub use encoder::{BuiltinAdapters, Encoder};
pub use variant::{default_variant, Variant};

use anyhow::{ensure, Context, Result};
use std::collections::{BTreeSet, HashMap};
use wasmparser_component as wasmparser;

/// The import module name of preview1, which the adapter polyfills.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";

/// What to build.
pub struct Request<'a> {
    /// The preview1 main module.
    pub main: &'a [u8],
    /// Split (two-memory) adapters, each for the import module it names
    /// (`wasi_snapshot_preview1` for the preview1 one). Each keeps its own
    /// private memory.
    pub adapters: &'a [(String, Vec<u8>)],
    /// Other adapters (`--adapt NAME=FILE`), given to wit-component as they
    /// are: ordinary single-memory adapters.
    pub other_adapters: &'a [(String, Vec<u8>)],
    /// Validate the result (`--skip-validation` turns it off).
    pub validate: bool,
    /// Keep the adapters' name sections (`--debug-names`).
    pub debug_names: bool,
    /// What is passed on to wit-component.
    pub wit: &'a WitOptions,
    /// Each split adapter's private memory, globals, table and data in a
    /// core module of their own, and the adapter lowered for hosts without
    /// multi-memory ([`private_module`]). Off: one two-memory adapter
    /// module, which jco's default path refuses.
    pub private_module: bool,
}

/// wit-component's options that mmadapt passes on as they are (`None`:
/// wit-component's default).
#[derive(Clone, Debug, Default)]
pub struct WitOptions {
    pub debug_names: Option<bool>,
    pub shim_return_call_ref: Option<bool>,
    pub merge_imports_based_on_semver: Option<bool>,
    pub emit_canonical_names: Option<bool>,
    pub reject_legacy_names: Option<bool>,
    pub realloc_via_memory_grow: Option<bool>,
    pub import_name_map: Option<HashMap<String, String>>,
}

impl WitOptions {
    /// Sets the options that are set on `encoder`.
    pub fn apply(&self, encoder: &mut wit_component::ComponentEncoder) {
        if let Some(v) = self.debug_names {
            encoder.debug_names(v);
        }
        if let Some(v) = self.shim_return_call_ref {
            encoder.shim_return_call_ref(v);
        }
        if let Some(v) = self.merge_imports_based_on_semver {
            encoder.merge_imports_based_on_semver(v);
        }
        if let Some(v) = self.emit_canonical_names {
            encoder.emit_canonical_names(v);
        }
        if let Some(v) = self.reject_legacy_names {
            encoder.reject_legacy_names(v);
        }
        if let Some(v) = self.realloc_via_memory_grow {
            encoder.realloc_via_memory_grow(v);
        }
        if let Some(map) = &self.import_name_map {
            encoder.import_name_map(map.clone());
        }
    }
}

/// Every intermediate product, for debugging and tests.
pub struct Assembly {
    /// What wit-component built around the stand-ins: the adapters' and
    /// the main module's ([`main_standin`]).
    pub standin_component: Vec<u8>,
    pub component: Vec<u8>,
    /// One per split adapter, in [`Request::adapters`] order.
    pub adapters: Vec<AdapterAssembly>,
}

/// What became of one split adapter.
pub struct AdapterAssembly {
    /// The import module it provides.
    pub name: String,
    pub standin: Vec<u8>,
    /// Empty when the component has no instance of it.
    pub real_adapter: Vec<u8>,
    /// `None` when wit-component left the adapter out (the main module
    /// imports nothing from it).
    pub plan: Option<rewrite::Plan>,
}

/// Builds the component.
pub fn assemble(req: &Request<'_>) -> Result<Assembly> {
    let other_names: Vec<&str> = req.other_adapters.iter().map(|(n, _)| n.as_str()).collect();
    let split: Vec<(&str, &[u8])> = req
        .adapters
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    checks::check_main(req.main, &split, &other_names)?;

    let mut adapters = Vec::new();
    let mut standin_exports = Vec::new();
    // Each split adapter is parsed once: for its exports' reach now, and
    // trimmed once wit-component has said which exports stay.
    let mut parsed = Vec::new();
    for (name, bytes) in &split {
        let module = trim::parse_adapter(bytes, req.debug_names)
            .with_context(|| format!("adapter `{name}`"))?;
        let mut reach =
            trim::export_reach_of(&module).with_context(|| format!("adapter `{name}`"))?;
        parsed.push(Some(module));
        trim::drop_unneeded_realloc(&mut reach);
        let custom =
            standin::component_type_sections(bytes).with_context(|| format!("adapter `{name}`"))?;
        let standin =
            standin::build(bytes, &reach, &custom).with_context(|| format!("adapter `{name}`"))?;
        standin_exports.push(
            reach
                .iter()
                .map(|r| r.name.clone())
                .collect::<BTreeSet<_>>(),
        );
        adapters.push(AdapterAssembly {
            name: name.to_string(),
            standin,
            real_adapter: Vec::new(),
            plan: None,
        });
    }

    let main_standin = main_standin::build(req.main)?;
    let mut encoder = wit_component::ComponentEncoder::default();
    req.wit.apply(&mut encoder);
    // The component is validated once, after the splice (step 7); the
    // stand-in component never runs.
    encoder
        .validate(false)
        .module(&main_standin)
        .context("wit-component rejected the main module")?;
    for a in &adapters {
        encoder
            .adapter(&a.name, &a.standin)
            .with_context(|| format!("wit-component rejected adapter `{}`", a.name))?;
    }
    for (name, bytes) in req.other_adapters {
        encoder
            .adapter(name, bytes)
            .with_context(|| format!("wit-component rejected adapter `{name}`"))?;
    }
    let standin_component = encoder
        .encode()
        .context("wit-component could not build the component")?;

    // Each adapter's private memory alias takes the next free core memory
    // index where it is inserted, so the adapters are rewritten in the
    // order of their insertion points, each planned again on the component
    // as the previous rewrites left it: an alias inserted earlier is then
    // before the next one, and no index that a rewrite used moves.
    let mut order = Vec::new();
    for (i, exports) in standin_exports.iter().enumerate() {
        let plan = rewrite::plan(&standin_component, exports)
            .with_context(|| format!("adapter `{}`", adapters[i].name))?;
        if let Some(plan) = plan {
            order.push((plan.alias_before_section, i));
        }
    }
    order.sort();
    let mut component = standin_component.clone();
    for (_, i) in order {
        let name = adapters[i].name.clone();
        let plan = rewrite::plan(&component, &standin_exports[i])
            .with_context(|| format!("adapter `{name}`"))?
            .with_context(|| format!("adapter `{name}` is no longer in the component"))?;
        let module = parsed[i]
            .take()
            .with_context(|| format!("adapter `{name}` is planned twice"))?;
        let (real_adapter, private) = trim::trim_module(
            module,
            &plan.adapter_exports,
            req.debug_names,
            req.private_module,
        )
        .with_context(|| format!("adapter `{name}`"))?;
        // The real adapter may only import what the component gives the
        // stand-in.
        let real_facts = module_facts::ModuleFacts::read(&real_adapter)?;
        let real_imports = real_facts.import_keys();
        // (The private module's items are given to it beside them.)
        let missing: Vec<_> = real_imports
            .difference(&plan.adapter_imports)
            .filter(|(module, _)| module != mmadapt_ir::abi::PRIVATE_MODULE)
            .collect();
        ensure!(
            missing.is_empty(),
            "the trimmed adapter `{name}` imports {missing:?}, which the component does not provide"
        );
        let private_instance;
        (component, private_instance) = rewrite::apply(
            &component,
            &plan,
            &real_adapter,
            private.as_ref().map(|p| p.module.as_slice()),
        )
        .with_context(|| format!("adapter `{name}`"))?;
        // The private module's instance went in just before the adapter's.
        let mut plan = plan;
        let no_elements = elem_fixup::Elements::default();
        let elements = private.as_ref().map_or(&no_elements, |p| &p.elements);
        if private.is_some() {
            plan.adapter_instance += 1;
        }
        // `check_main` has refused a shared main memory, which zero-copy's
        // borrowed result record would need to stay off for.
        let placed;
        (component, placed) = zero_copy::append(
            &component,
            &plan,
            &real_facts.export_names(),
            private_instance,
            elements,
        )
        .with_context(|| format!("adding the zero-copy lowerings of `{name}`"))?;
        if let (false, Some(private_instance)) = (placed, private_instance) {
            component = elem_fixup::append(
                &component,
                plan.adapter_instance,
                private_instance,
                elements,
            )
            .with_context(|| format!("filling the table of `{name}`"))?;
        }
        adapters[i].real_adapter = real_adapter;
        adapters[i].plan = Some(plan);
    }
    // (The component around the stand-in is dropped here, not kept beside
    // the spliced one.)
    let component = main_standin::splice(&std::mem::take(&mut component), req.main, &main_standin)?;
    if req.validate {
        validate(&component)?;
    }
    Ok(Assembly {
        standin_component,
        component,
        adapters,
    })
}

/// The features a finished component may use: the one place that says so
/// (the CLI and the tests validate with it too).
///
/// `wasm-tools component new` (wit-component) validates the main module and
/// the component it makes with every feature wasmparser knows
/// (`WasmFeatures::all()`), so a drop-in must accept at least as much:
/// legacy exceptions (GHC's wasm backend emits `try`/`catch`), exnref, GC,
/// tail calls, SIMD, wide arithmetic, memory64 memories besides `memory`.
/// What the adapter cannot work with (a shared `memory`, one with a custom
/// page size or 64-bit addresses) `checks` refuses before assembly with a
/// line of its own, as wit-component refuses it; whether a host runs a
/// proposal is the host's business. The component model, multi-memory (the
/// adapter's private memory) and canonical interface names (only with
/// `--emit-canonical-names`) are in the set.
pub fn features() -> wasmparser::WasmFeatures {
    wasmparser::WasmFeatures::all()
}

/// Validates a component with [`features`].
///
/// As `Validator::validate_all` does, except that each function body is
/// validated as soon as it is read: `validate_all` first collects every
/// body of every module (tens of bytes each, hundreds of thousands in a
/// large main module) and validates them at the end. The verdict is the
/// same; with more than one error, the first reported may differ.
pub fn validate(component: &[u8]) -> Result<()> {
    validate_each_body_when_read(component).context("the assembled component does not validate")
}

fn validate_each_body_when_read(component: &[u8]) -> wasmparser::Result<()> {
    let mut validator = wasmparser::Validator::new_with_features(features());
    let mut parser = wasmparser::Parser::new(0);
    parser.set_features(features());
    let mut allocs = wasmparser::FuncValidatorAllocations::default();
    for payload in parser.parse_all(component) {
        if let wasmparser::ValidPayload::Func(func, body) = validator.payload(&payload?)? {
            let mut func = func.into_validator(allocs);
            func.validate(&body)?;
            allocs = func.into_allocations();
        }
    }
    Ok(())
}
