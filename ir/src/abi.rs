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
