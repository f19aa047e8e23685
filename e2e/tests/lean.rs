//! Lean components: for the same main module, the component mmadapt makes
//! imports no WASI interface the standard adapter's component does not, and
//! is no larger in bytes. Checked for `examples/hello-p1.wat`, every e2e
//! guest program (a Go program among them) and the wasi:http handler (with
//! the standard adapter's proxy variant).

use mmadapt_e2e::{adapters, programs};
use std::collections::BTreeSet;

fn imports(component: &[u8]) -> BTreeSet<String> {
    mmadapt_component::world::component_imports(component)
        .expect("the component parses")
        .into_iter()
        .collect()
}

/// Interfaces without their version (wit-component may merge the main
/// module's older version of an interface with the adapter's newer one).
fn unversioned(imports: &BTreeSet<String>) -> BTreeSet<String> {
    imports
        .iter()
        .map(|i| i.split('@').next().unwrap_or(i).to_string())
        .collect()
}

fn check(name: &str, ours: &[u8], theirs: &[u8]) {
    let (a, b) = (imports(ours), imports(theirs));
    let extra: Vec<_> = unversioned(&a)
        .difference(&unversioned(&b))
        .cloned()
        .collect();
    println!(
        "{name}: mmadapt {} bytes, {} imports; standard {} bytes, {} imports",
        ours.len(),
        a.len(),
        theirs.len(),
        b.len()
    );
    assert!(
        extra.is_empty(),
        "{name}: mmadapt's component imports {extra:?}, which the standard adapter's does not\n  mmadapt: {a:?}\n  standard: {b:?}"
    );
    assert!(
        ours.len() <= theirs.len(),
        "{name}: mmadapt's component has {} bytes, the standard adapter's {}",
        ours.len(),
        theirs.len()
    );
}

fn command(name: &str, main: &[u8]) {
    check(
        name,
        &adapters::mmadapt(main).unwrap(),
        &adapters::standard(main).unwrap(),
    );
}

#[test]
fn hello_example() {
    let main = wat::parse_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/hello-p1.wat"
    ))
    .unwrap();
    command("examples/hello-p1.wat", &main);
}

#[test]
fn rust_programs() {
    command("p1suite", &programs::rust().unwrap());
    for bin in ["bench", "bulk", "hostile"] {
        command(bin, &programs::rust_bin(bin).unwrap());
    }
}

#[test]
fn c_program() {
    command("cprog", &programs::c().unwrap());
}

#[test]
fn go_program() {
    command("goprog", &programs::go().unwrap());
}

#[test]
fn assemblyscript_program() {
    command("asprog", &programs::assemblyscript().unwrap());
}

#[test]
fn http_handler_against_the_standard_proxy_adapter() {
    let main = programs::http_handler().unwrap();
    let ours = mmadapt::componentize(
        &main,
        &mmadapt::ComponentOptions {
            validate: true,
            ..Default::default()
        },
    )
    .unwrap();
    check(
        "http-handler",
        &ours,
        &adapters::standard_proxy(&main).unwrap(),
    );
}
