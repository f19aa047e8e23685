//! An adapter-shaped cdylib for checking the marker ABI at -O3 + fat LTO.
//!
//! Every export mixes private work (shadow stack, data segments, mutable
//! statics) with user-memory accesses made only through `mmadapt-markers`.
//! The same module is meant to run unsplit (user memory = its own memory) and
//! split (user memory = imported `env.memory`) with identical results; see
//! README.md for how a host lays out user memory.

#![no_std]

mod bulk;
mod layout;
mod mixed;
mod private;
mod scalar;
mod state;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
