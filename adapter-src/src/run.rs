//! The command variant's entry point: `wasi:cli/run@0.2.12#run`.
//!
//! wit-component satisfies the adapter's imports from module
//! `__main_module__` with the main module's exports of the same name
//! (validation.rs, `Import::MainModuleExport`), so `_start` here is the
//! program's own `_start`, exactly as in the standard adapter.

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "__main_module__")]
extern "C" {
    #[link_name = "_start"]
    fn main_start();
}

#[cfg(not(target_arch = "wasm32"))]
unsafe fn main_start() {}

struct Command;

impl wasip2::exports::cli::run::Guest for Command {
    fn run() -> Result<(), ()> {
        // A program that returns from `_start` exits with status 0; one that
        // calls `proc_exit` never comes back here.
        unsafe { main_start() };
        Ok(())
    }
}

// Exports `wasi:cli/run@0.2.12#run` and embeds the `wasi:cli/command` world's
// `component-type` custom section, from which wit-component learns the
// adapter's WIT imports and its `run` export.
wasip2::cli::command::export!(Command);
