// The private memory's layout: a small shadow stack first (an overflow runs
// below address 0 and traps), then the data, in one page. The defaults would
// be a 1 MiB stack and 17 pages of memory for a counter and a buffer.
fn main() {
    println!("cargo::rustc-link-arg-cdylib=-zstack-size=8192");
    println!("cargo::rustc-link-arg-cdylib=--initial-memory=65536");
    println!("cargo::rerun-if-changed=build.rs");
}
