//! The entry point for building a component, shaped like wit-component's
//! `ComponentEncoder`: the same builder steps (`module`, `adapter`,
//! `validate`, `encode` and the other options), plus the choice of the
//! built-in preview1 adapter's variant. A tool that embeds wit-component
//! switches by changing the type it builds (`mmadapt::ComponentEncoder`
//! hands this one mmadapt's built-in adapters).
//!
//! Which adapter serves which import module:
//! - `adapter(NAME, bytes)` with a split (two-memory) adapter, made by
//!   `mmadapt split` or the build API: it keeps its state in its own private
//!   memory, for any NAME, several at once;
//! - with an ordinary single-memory adapter: used the way wasm-tools uses
//!   it;
//! - `wasi_snapshot_preview1` without an `adapter` call: the built-in split
//!   adapter of the chosen [`Variant`].
//!
//! With no split adapter at all (only single-memory ones, replacing the
//! built-in one too), wit-component does everything, exactly as
//! `wasm-tools component new` would.

use crate::variant::{default_variant, Variant};
use crate::{assemble, Request, WitOptions, PREVIEW1};
use anyhow::{bail, Result};
use std::collections::HashMap;

/// The built-in split preview1 adapter of each variant.
pub type BuiltinAdapters = fn(Variant) -> &'static [u8];

/// Builds a component from a preview1 main module and adapters.
#[derive(Clone, Default)]
pub struct Encoder {
    main: Option<Vec<u8>>,
    adapters: Vec<(String, Vec<u8>)>,
    validate: bool,
    debug_names: bool,
    variant: Option<Variant>,
    builtin: Option<BuiltinAdapters>,
    wit: WitOptions,
    single_module: bool,
}

impl Encoder {
    /// An encoder whose `wasi_snapshot_preview1` adapter, unless one is
    /// given, is `builtin`'s.
    pub fn with_builtin_adapters(builtin: BuiltinAdapters) -> Encoder {
        Encoder {
            builtin: Some(builtin),
            ..Encoder::default()
        }
    }

    /// The main module (a core module, not a component; its imports are
    /// checked at [`Encoder::encode`]).
    /// It is copied, as wit-component copies it; [`Encoder::module_owned`]
    /// takes it without a copy.
    pub fn module(&mut self, module: &[u8]) -> Result<&mut Self> {
        self.module_owned(module.to_vec())
    }

    /// [`Encoder::module`], taking the module's bytes: a program that has
    /// read the module holds them once, and they are copied once more, into
    /// the component ([`crate::main_standin`]). The main module can be most
    /// of the memory `component new` uses.
    pub fn module_owned(&mut self, module: Vec<u8>) -> Result<&mut Self> {
        crate::module_facts::check_core_module(&module)?;
        self.main = Some(module);
        Ok(self)
    }

    /// The adapter for import module `name`. Two for one name are an error.
    pub fn adapter(&mut self, name: &str, bytes: &[u8]) -> Result<&mut Self> {
        if self.adapters.iter().any(|(n, _)| n == name) {
            bail!("two adapters for import module `{name}` (`--adapt {name}=...` given twice)");
        }
        self.adapters.push((name.to_string(), bytes.to_vec()));
        Ok(self)
    }

    /// Keep each split adapter in one two-memory core module, as mmadapt
    /// did before the private module (off by default: see
    /// [`crate::private_module`]). jco's default path refuses such
    /// components; this is for comparisons.
    pub fn single_module(&mut self, single: bool) -> &mut Self {
        self.single_module = single;
        self
    }

    /// Whether to validate the component (wit-component's default: off).
    pub fn validate(&mut self, validate: bool) -> &mut Self {
        self.validate = validate;
        self
    }

    /// Keep the split adapters' name sections (off: the shipped adapters
    /// have none) and have wit-component name what it makes.
    pub fn debug_names(&mut self, debug_names: bool) -> &mut Self {
        self.debug_names = debug_names;
        self.wit.debug_names = Some(debug_names);
        self
    }

    /// The built-in adapter's variant; unset, it follows the main module
    /// ([`default_variant`]).
    pub fn variant(&mut self, variant: Variant) -> &mut Self {
        self.variant = Some(variant);
        self
    }

    /// wit-component's option of the same name. Unset, it is wit-component's
    /// default (`call_indirect` through a table), except with the built-in
    /// proxy adapter, whose shims use `return_call_ref`.
    pub fn shim_return_call_ref(&mut self, enable: bool) -> &mut Self {
        self.wit.shim_return_call_ref = Some(enable);
        self
    }

    /// wit-component's option of the same name.
    pub fn merge_imports_based_on_semver(&mut self, merge: bool) -> &mut Self {
        self.wit.merge_imports_based_on_semver = Some(merge);
        self
    }

    /// wit-component's option of the same name.
    pub fn emit_canonical_names(&mut self, emit: bool) -> &mut Self {
        self.wit.emit_canonical_names = Some(emit);
        self
    }

    /// wit-component's option of the same name.
    pub fn reject_legacy_names(&mut self, reject: bool) -> &mut Self {
        self.wit.reject_legacy_names = Some(reject);
        self
    }

    /// wit-component's option of the same name: a `cabi_realloc` made with
    /// `memory.grow` for single-memory adapters that lack one. A split
    /// adapter allocates in its private memory with its own realloc, so
    /// for it this changes nothing.
    pub fn realloc_via_memory_grow(&mut self, value: bool) -> &mut Self {
        self.wit.realloc_via_memory_grow = Some(value);
        self
    }

    /// wit-component's option of the same name (renames instance imports).
    pub fn import_name_map(&mut self, map: HashMap<String, String>) -> &mut Self {
        self.wit.import_name_map = Some(map);
        self
    }

    /// The variant the built-in adapter gets for this main module, if the
    /// built-in adapter is used.
    pub fn chosen_variant(&self) -> Option<Variant> {
        let main = self.main.as_deref()?;
        if self.builtin.is_none() || self.adapters.iter().any(|(n, _)| n == PREVIEW1) {
            return None;
        }
        Some(self.variant.unwrap_or_else(|| default_variant(main)))
    }

    /// Builds the component.
    pub fn encode(&mut self) -> Result<Vec<u8>> {
        let Some(main) = self.main.as_deref() else {
            bail!("no main module given");
        };
        let (mut split, others): (Vec<_>, Vec<_>) = self
            .adapters
            .iter()
            .cloned()
            .partition(|(_, bytes)| is_split_adapter(bytes));
        let mut wit = self.wit.clone();
        if let (Some(variant), Some(builtin)) = (self.chosen_variant(), self.builtin) {
            split.push((PREVIEW1.to_string(), builtin(variant).to_vec()));
            if variant == Variant::Proxy {
                // A proxy host makes an instance per request, and its
                // pool resets every table an instance has: shims that
                // call through globals leave no shim table to reset
                // (README, "Per request under `wasmtime serve`"). Proxy
                // hosts have tail calls and function references.
                wit.shim_return_call_ref.get_or_insert(true);
            }
        }
        if split.is_empty() {
            // Only ordinary adapters: wit-component does everything.
            let mut encoder = wit_component::ComponentEncoder::default();
            wit.apply(&mut encoder);
            encoder.validate(self.validate).module(main)?;
            for (name, bytes) in &others {
                encoder.adapter(name, bytes)?;
            }
            return encoder.encode();
        }
        let assembly = assemble(&Request {
            main,
            adapters: &split,
            other_adapters: &others,
            validate: self.validate,
            debug_names: self.debug_names,
            wit: &wit,
            private_module: !self.single_module,
        })?;
        Ok(assembly.component)
    }
}

/// A split adapter exports its private memory under the reserved name.
pub fn is_split_adapter(bytes: &[u8]) -> bool {
    crate::module_facts::export_names(bytes)
        .map(|e| e.contains(mmadapt_ir::abi::PRIVATE_MEMORY_EXPORT))
        .unwrap_or(false)
}
