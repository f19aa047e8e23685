//! The proxy variant: a `wasm32-wasip1` module that exports
//! `wasi:http/incoming-handler` (tests/programs/http-handler), made into a
//! component by `mmadapt component new` with no flags, must import only from
//! the `wasi:http/proxy` world, and `wasmtime serve` with no `-S` flags must
//! serve it exactly as it serves the standard proxy adapter's component:
//! same statuses, bodies, stdout and stderr per request.

use mmadapt_e2e::serve::{lines_of_request, Server};
use mmadapt_e2e::{adapters, programs};

/// The imports of `wasi:http/proxy@0.2`, by interface prefix.
const PROXY_WORLD: &[&str] = &[
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:cli/stdout@",
    "wasi:cli/stderr@",
    "wasi:cli/stdin@",
    "wasi:http/types@",
    "wasi:http/outgoing-handler@",
];

fn imports(component: &[u8]) -> Vec<String> {
    mmadapt_component::world::component_imports(component).expect("the component parses")
}

fn mmadapt_component() -> Vec<u8> {
    let main = programs::http_handler().expect("building tests/programs/http-handler");
    mmadapt::componentize(
        &main,
        &mmadapt::ComponentOptions {
            validate: true,
            ..Default::default()
        },
    )
    .expect("component new with no flags")
}

#[test]
fn a_handler_gets_the_proxy_adapter_and_only_proxy_world_imports() {
    let main = programs::http_handler().unwrap();
    assert_eq!(
        mmadapt_component::default_variant(&main),
        mmadapt::Variant::Proxy
    );
    let ours = imports(&mmadapt_component());
    let outside: Vec<_> = ours
        .iter()
        .filter(|i| !PROXY_WORLD.iter().any(|p| i.starts_with(p)))
        .collect();
    assert!(
        outside.is_empty(),
        "imports outside wasi:http/proxy: {outside:?} (all: {ours:?})"
    );
    // The same module forced to the command variant needs more: the
    // difference is the proxy variant's doing, not the module's.
    let command = mmadapt::componentize(
        &main,
        &mmadapt::ComponentOptions {
            variant: Some(mmadapt::Variant::Command),
            validate: true,
            ..Default::default()
        },
    );
    if let Ok(command) = command {
        let wide = imports(&command);
        assert!(
            wide.iter().any(|i| i.starts_with("wasi:cli/environment@")),
            "{wide:?}"
        );
    }
}

/// The requests, in order (`wasmtime serve` numbers them from 0).
const REQUESTS: &[(&str, &str, &[u8])] = &[
    ("GET", "/", b""),
    ("POST", "/echo", b"hello from the test\n"),
    ("GET", "/big", b""),
    ("GET", "/?query=1", b""),
    ("GET", "/exit", b""),
];

struct Served {
    responses: Vec<mmadapt_e2e::serve::Response>,
    stdout: Vec<String>,
    stderr: Vec<String>,
}

fn serve(component: &[u8], dir: &std::path::Path, name: &str) -> Served {
    let path = dir.join(name);
    std::fs::write(&path, component).unwrap();
    let server = Server::start(&path, &[]).unwrap();
    let responses = REQUESTS
        .iter()
        .map(|(method, p, body)| server.request(method, p, body).unwrap())
        .collect();
    // Output lines arrive after the response; wait until the last
    // request's stderr is there (or give up after a few seconds).
    for _ in 0..50 {
        if !lines_of_request(&server.stderr(), REQUESTS.len() - 1).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (stdout, stderr) = (server.stdout(), server.stderr());
    server.stop();
    Served {
        responses,
        stdout,
        stderr,
    }
}

#[test]
fn wasmtime_serve_serves_it_as_it_serves_the_standard_proxy_adapter() {
    let main = programs::http_handler().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ours = serve(&mmadapt_component(), dir.path(), "mmadapt.wasm");
    let theirs = serve(
        &adapters::standard_proxy(&main).unwrap(),
        dir.path(),
        "standard.wasm",
    );
    let last = REQUESTS.len() - 1;
    for (n, (method, path, _)) in REQUESTS.iter().enumerate() {
        let (a, b) = (&ours.responses[n], &theirs.responses[n]);
        let what = format!("request {n} ({method} {path})");
        assert_eq!(a.status, b.status, "{what}: status");
        let (out_a, out_b) = (
            lines_of_request(&ours.stdout, n),
            lines_of_request(&theirs.stdout, n),
        );
        let (err_a, err_b) = (
            lines_of_request(&ours.stderr, n),
            lines_of_request(&theirs.stderr, n),
        );
        if n == last {
            // `proc_exit` traps in both (no `wasi:cli/exit` in the world);
            // the trap's own message and backtrace differ, what the
            // program wrote before it does not.
            assert_eq!(a.status, 500, "{what}");
            assert_eq!(err_a[..2], err_b[..2], "{what}: stderr before the trap");
            assert_eq!(err_a[..2], ["handling /exit", "exiting with 3"]);
            continue;
        }
        assert_eq!(a.status, 200, "{what}");
        assert_eq!(
            String::from_utf8_lossy(&a.body),
            String::from_utf8_lossy(&b.body),
            "{what}: body"
        );
        assert_eq!(out_a, out_b, "{what}: stdout");
        assert_eq!(err_a, err_b, "{what}: stderr");
        assert!(!err_a.is_empty(), "{what}: the handler writes to stderr");
    }
    // The report is what the handler saw through preview1.
    let report = String::from_utf8_lossy(&ours.responses[0].body).into_owned();
    for line in [
        "args: []",
        "env: 0",
        "random: 1",
        "read_dir /: err Some(44)",
        "prestat(3)=8",
    ] {
        assert!(report.contains(line), "report lacks {line:?}:\n{report}");
    }
    assert_eq!(ours.responses[1].body, REQUESTS[1].2);
}

/// Tables the component's core modules define, in all.
fn core_tables(component: &[u8]) -> u32 {
    use wasmparser_component::{Parser, Payload};
    Parser::new(0)
        .parse_all(component)
        .map(|p| match p.expect("the component parses") {
            Payload::TableSection(s) => s.count(),
            _ => 0,
        })
        .sum()
}

/// A proxy host resets every table of every instance, one per request:
/// the proxy component's shims call through globals (`return_call_ref`),
/// so the only table left is the main module's own. `--return-call-ref=false`
/// gives wit-component's shim table back, as for the other variants.
#[test]
fn the_proxy_component_has_no_shim_table() {
    let main = programs::http_handler().unwrap();
    assert_eq!(
        core_tables(&main),
        1,
        "the handler has one table of its own"
    );
    assert_eq!(core_tables(&mmadapt_component()), 1);
    let mut encoder = mmadapt::ComponentEncoder::default();
    encoder
        .validate(true)
        .shim_return_call_ref(false)
        .module(&main)
        .unwrap();
    assert_eq!(core_tables(&encoder.encode().unwrap()), 2);
}
