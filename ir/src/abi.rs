//! Every name in the ABI between an adapter, the split pass and the
//! component step, in one place. The adapter side spells the same strings
//! in attributes (`#[link(wasm_import_module = ...)]`, `#[export_name = ...]`
//! need literals): `markers/src/abi.rs`, `adapter-src/src/zero_copy.rs`.

/// The import module that region markers come from.
pub const REGION_MODULE: &str = "mmadapt:region";

/// The import the user memory comes from: memory 0 of a split module.
pub const USER_MEMORY_IMPORT: (&str, &str) = ("env", "memory");

/// The export name of the private memory (memory 1) of a split module. The
/// component step points the adapter's lowerings at it; it is never exported
/// as `memory`, which is the main module's.
pub const PRIVATE_MEMORY_EXPORT: &str = "mmadapt:private-memory";

/// The adapter's function table, which the zero-copy fixup grows.
pub const ZERO_COPY_TABLE_EXPORT: &str = "__indirect_function_table";

/// The adapter's hook the zero-copy fixup calls with the slots it filled.
pub const ZERO_COPY_READY_EXPORT: &str = "mmadapt:zero-copy-ready";

/// The import module of the core module that owns an adapter's private
/// memory in the layout for hosts without multi-memory (jco's default
/// path): the memory, the adapter's globals and table, its data, and the
/// bulk operations on that memory, run natively there. One letter, as
/// wit-component's own glue names go: the adapter imports some ten items
/// from it, and components must stay no larger than the standard
/// adapter's.
pub const PRIVATE_MODULE: &str = "p";

/// The private memory, as the private module exports it (each of these
/// names is written two or three times in a component: kept short).
pub const PRIVATE_MEMORY: &str = "m";

/// `memory.copy` within the private memory: `(dst, src, len)`.
pub const PRIVATE_COPY: &str = "copy";

/// `memory.fill` of the private memory: `(dst, value, len)`.
pub const PRIVATE_FILL: &str = "fill";

/// `memory.grow` of the private memory: `(pages) -> old pages or -1`.
pub const PRIVATE_GROW: &str = "grow";

/// The private module's table (the adapter's function table).
pub const PRIVATE_TABLE: &str = "t";

/// Copies the private memory's data in on its first call (the adapter
/// calls it first at every entry; see the component crate's `defer_data`).
pub const PRIVATE_INIT: &str = "init";
