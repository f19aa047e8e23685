// The private memory's layout (it is memory 0 of this unsplit build and
// becomes memory 1 after the split): a 32 KiB shadow stack first (so an
// overflow runs below address 0 and traps), then the data segments, then
// the heap, in an initial memory of 2 pages (128 KiB); the allocator
// (src/allocator.rs) grows it as needed. The default would be a 1 MiB stack
// and 17 pages. Big buffers live on the heap: the deepest call path needs
// under 300 bytes of stack (measured, see README.md), so 32 KiB is a wide
// margin.
// Link args (not RUSTFLAGS) so an ambient RUSTFLAGS cannot drop them.
fn main() {
    println!("cargo::rustc-link-arg-cdylib=-zstack-size=32768");
    println!("cargo::rustc-link-arg-cdylib=--initial-memory=131072");
    // The component grows the function table and puts the zero-copy
    // lowerings there (src/zero_copy.rs).
    println!("cargo::rustc-link-arg-cdylib=--export-table");
    println!("cargo::rustc-link-arg-cdylib=--growable-table");
    println!("cargo::rerun-if-changed=build.rs");
}
