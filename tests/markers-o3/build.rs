// Fixes the memory layout so a test host can place user data at known
// addresses in the unsplit build: a 64 KiB shadow stack at [0, 64 KiB), the
// data segments right after it, and 4 pages of initial memory in total.
// Link args (not RUSTFLAGS) so an ambient RUSTFLAGS cannot drop them.
fn main() {
    println!("cargo::rustc-link-arg-cdylib=-zstack-size=65536");
    println!("cargo::rustc-link-arg-cdylib=--initial-memory=262144");
    println!("cargo::rerun-if-changed=build.rs");
}
