//! The `mmadapt` binary as a user meets it: outputs, `-o -`, errors on one
//! line with a non-zero exit, and no output file after a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mmadapt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmadapt"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("mmadapt runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mmadapt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One line on stderr, starting with `error: ` and naming the file.
fn assert_clean_error(o: &Output, file: &str, needle: &str) {
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line expected, got: {err}");
    assert!(err.starts_with(&format!("error: {file}: ")), "got: {err}");
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
}

#[test]
fn split_example_writes_a_valid_two_memory_module() {
    let out = scratch("example.wasm");
    let o = mmadapt(&["split", "examples/markers.wat", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    let mut validator =
        wasmparser::Validator::new_with_features(mmadapt_passes::verify::features());
    let types = validator.validate_all(&bytes).expect("output validates");
    assert_eq!(types.as_ref().memory_count(), 2);
    // Memory 0 is the imported user memory; the private one is exported
    // under the reserved name and not as "memory".
    let text =
        String::from_utf8(mmadapt(&["split", "examples/markers.wat", "-o", "-", "--wat"]).stdout)
            .unwrap();
    assert!(
        text.contains(r#"(import "env" "memory" (memory (;0;) 0))"#),
        "{text}"
    );
    assert!(
        text.contains(r#"(export "mmadapt:private-memory" (memory 1))"#),
        "{text}"
    );
    assert!(!text.contains(r#"(export "memory""#), "{text}");
    assert!(!text.contains("mmadapt:region"), "{text}");
}

#[test]
fn split_to_stdout_matches_split_to_file() {
    let out = scratch("same.wasm");
    assert!(
        mmadapt(&["split", "examples/markers.wat", "-o", out.to_str().unwrap()])
            .status
            .success()
    );
    let o = mmadapt(&["split", "examples/markers.wat", "-o", "-"]);
    assert!(o.status.success());
    assert_eq!(o.stdout, std::fs::read(&out).unwrap());
}

#[test]
fn print_shows_regions_and_routes() {
    let o = mmadapt(&["print", "examples/markers.wat"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("r0 user begin="), "{text}");
    assert!(
        text.contains("memory.copy  ;; mem 0->0 in r1:copy_out => mem 1->0"),
        "{text}"
    );
}

#[test]
fn print_stats_after_split_has_no_user_access_outside_regions() {
    let o = mmadapt(&["print", "--split", "--stats", "examples/markers.wat"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let row0 = text
        .lines()
        .find(|l| l.starts_with("0 "))
        .expect("a memory 0 row");
    let outside: usize = row0.split_whitespace().last().unwrap().parse().unwrap();
    assert_eq!(outside, 0, "{text}");
    assert!(text.contains("markers: 0"), "{text}");
}

#[test]
fn missing_file_is_one_line_and_exit_1() {
    let o = mmadapt(&["split", "no/such.wasm", "-o", "-"]);
    assert_clean_error(&o, "no/such.wasm", "failed to read");
}

#[test]
fn garbage_input_is_rejected_without_output_file() {
    let input = scratch("garbage.wasm");
    std::fs::write(&input, b"\0asm\x01\0\0\0\x05\x03").unwrap();
    let out = scratch("never.wasm");
    let o = mmadapt(&[
        "split",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_clean_error(&o, input.to_str().unwrap(), "offset");
    assert!(!out.exists(), "no output file after a failure");
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn failing_split_keeps_an_existing_output_intact() {
    let input = scratch("nested.wat");
    std::fs::write(
        &input,
        r#"(module
  (import "mmadapt:region" "user_begin" (func $ub))
  (import "mmadapt:region" "user_end" (func $ue))
  (memory 1)
  (func $f call $ub call $ub call $ue call $ue))"#,
    )
    .unwrap();
    let out = scratch("kept.wasm");
    std::fs::write(&out, b"previous contents").unwrap();
    let o = mmadapt(&[
        "split",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_clean_error(&o, input.to_str().unwrap(), "function `f` (#2) at offset");
    assert!(stderr(&o).contains("regions do not nest"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"previous contents");
}

#[test]
fn a_component_is_not_a_module() {
    let input = scratch("component.wasm");
    std::fs::write(&input, b"\0asm\x0d\0\x01\0").unwrap();
    let o = mmadapt(&["print", input.to_str().unwrap()]);
    assert_clean_error(&o, input.to_str().unwrap(), "is a component");
}

#[test]
fn text_errors_name_line_and_column() {
    let input = scratch("bad.wat");
    std::fs::write(&input, "(module (func (i32.add)))\n(oops").unwrap();
    let o = mmadapt(&["split", input.to_str().unwrap(), "-o", "-"]);
    assert_clean_error(&o, input.to_str().unwrap(), "at line 2:1");
}

#[test]
fn built_in_adapters_are_split_and_verified() {
    for flags in [&[][..], &["--reactor"][..], &["--proxy"][..]] {
        let mut args = vec!["adapter"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["-o", "-"]);
        let o = mmadapt(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut validator =
            wasmparser::Validator::new_with_features(mmadapt_passes::verify::features());
        let types = validator
            .validate_all(&o.stdout)
            .expect("adapter validates");
        assert_eq!(types.as_ref().memory_count(), 2, "{flags:?}");
        let adapter = o.stdout;

        // The unsplit adapter, split again here: no memory-0 access outside
        // a region, and the private memory starts small.
        let unsplit = scratch(&format!("unsplit{}.wasm", flags.len()));
        let mut args = vec!["adapter", "--unsplit", "-o", unsplit.to_str().unwrap()];
        args.extend_from_slice(flags);
        assert!(mmadapt(&args).status.success());
        // The committed split adapter is what today's split pass makes of
        // the committed unsplit one (else: `cargo run -p regen-adapters`).
        let resplit = mmadapt(&["split", unsplit.to_str().unwrap(), "-o", "-"]);
        assert!(resplit.status.success(), "{}", stderr(&resplit));
        assert!(
            resplit.stdout == adapter,
            "{flags:?}: adapter-provider/wasm is stale: the split pass makes other bytes \
             of the unsplit adapter; run `cargo run -p regen-adapters`"
        );
        let o = mmadapt(&["print", "--split", "--stats", unsplit.to_str().unwrap()]);
        let stats = String::from_utf8(o.stdout).unwrap();
        let row0 = stats
            .lines()
            .find(|l| l.starts_with("0 "))
            .expect("memory 0 row");
        assert_eq!(row0.split_whitespace().last(), Some("0"), "{stats}");
        let inside: usize = row0.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(
            inside > 0,
            "the adapter touches user memory somewhere: {stats}"
        );
    }
}

/// A preview1 command in text form: prints through `fd_write`.
const HELLO_P1: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
    (call $proc_exit (i32.const 0))))"#;

fn component_new(main_wat: &str, name: &str, extra: &[&str]) -> (Output, PathBuf) {
    let input = scratch(&format!("{name}.wat"));
    std::fs::write(&input, main_wat).unwrap();
    let out = scratch(&format!("{name}.component.wasm"));
    let _ = std::fs::remove_file(&out);
    let mut args = vec![
        "component",
        "new",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (mmadapt(&args), out)
}

#[test]
fn component_new_makes_a_valid_component_with_a_private_memory() {
    let (o, out) = component_new(HELLO_P1, "hello", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    let text = wasmprinter::print_bytes(&bytes).unwrap();
    // The private module's memory: the adapter imports it, and the
    // lowerings into it alias it from the private module's instance.
    assert!(
        text.contains(r#"(import "p" "m" (memory"#),
        "the adapter imports its private memory from the private module"
    );
    assert!(
        text.contains(r#"(export "m" (memory 0))"#),
        "the private module exports its memory"
    );
    assert!(
        !text.contains("mmadapt:private-memory"),
        "the adapter exports no memory"
    );
    assert!(
        text.contains("wasi:cli/run"),
        "a command exports wasi:cli/run"
    );
    assert!(text.contains("wasi:cli/stdout"), "fd_write needs stdout");
    // Validates with the features a component may use.
    mmadapt_component::validate(&bytes).expect("component validates");

    // `--single-module`: the layout before, one two-memory adapter module
    // exporting its private memory.
    let (o, out) = component_new(HELLO_P1, "hello-single", &["--single-module"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    let text = wasmprinter::print_bytes(&bytes).unwrap();
    assert!(
        text.contains("mmadapt:private-memory") && !text.contains(r#"(import "p" "m""#),
        "the adapter's own private memory is aliased"
    );
    mmadapt_component::validate(&bytes).expect("component validates");
}

/// The component-level imports of a component, by name.
fn component_imports(bytes: &[u8]) -> Vec<String> {
    mmadapt_component::world::component_imports(bytes).expect("the component parses")
}

#[test]
fn proxy_flag_forces_the_proxy_world_and_debug_names_keep_names() {
    // The same command module, forced to the proxy variant: no
    // `wasi:cli/run` export, and no import outside `wasi:http/proxy`.
    let (o, out) = component_new(HELLO_P1, "hello-proxy", &["--proxy"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    let imports = component_imports(&bytes);
    assert!(
        imports.iter().any(|i| i.starts_with("wasi:cli/stdout@")),
        "{imports:?}"
    );
    for i in &imports {
        assert!(
            [
                "wasi:io/",
                "wasi:clocks/",
                "wasi:random/",
                "wasi:cli/stdout@",
                "wasi:cli/stderr@",
                "wasi:cli/stdin@"
            ]
            .iter()
            .any(|p| i.starts_with(p)),
            "--proxy imports {i}"
        );
    }
    let text = wasmprinter::print_bytes(&bytes).unwrap();
    assert!(!text.contains("wasi:cli/run"), "a proxy exports no run");
    // Without the flag, the command variant imports wasi:cli/exit.
    let (o, out) = component_new(HELLO_P1, "hello-command", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plain = std::fs::read(&out).unwrap();
    assert!(component_imports(&plain)
        .iter()
        .any(|i| i.starts_with("wasi:cli/exit@")));
    // `--debug-names` keeps the adapter's function names; the default has none.
    let (o, out) = component_new(HELLO_P1, "hello-names", &["--debug-names"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let named = std::fs::read(&out).unwrap();
    let named_text = wasmprinter::print_bytes(&named).unwrap();
    let plain_text = wasmprinter::print_bytes(&plain).unwrap();
    assert!(
        named_text.contains("(func $cabi_import_realloc"),
        "names kept"
    );
    assert!(
        !plain_text.contains("(func $cabi_import_realloc"),
        "names dropped"
    );
    assert!(named.len() > plain.len());
    // Two variant flags at once are refused.
    let (o, _) = component_new(HELLO_P1, "hello-two", &["--proxy", "--command"]);
    assert!(!o.status.success());
}

#[test]
fn wasm_tools_flag_forms() {
    let input = scratch("flags-hello.wat");
    std::fs::write(&input, HELLO_P1).unwrap();
    let input = input.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["component", "new", input];
        args.extend_from_slice(extra);
        let o = mmadapt(&args);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        o
    };
    // No `-o`: the component goes to stdout.
    let to_stdout = run(&[]).stdout;
    let file = scratch("flags-hello.wasm");
    run(&["-o", file.to_str().unwrap()]);
    assert_eq!(std::fs::read(&file).unwrap(), to_stdout);
    // `--adapt FILE` takes the module name from the file name, as
    // wasm-tools does; here the built-in adapter, written out first.
    let dir = scratch("flags-adapters");
    let _ = std::fs::create_dir_all(&dir);
    let adapter = dir.join("wasi_snapshot_preview1.command.wasm");
    assert!(mmadapt(&["adapter", "-o", adapter.to_str().unwrap()])
        .status
        .success());
    assert_eq!(
        run(&["--adapt", adapter.to_str().unwrap()]).stdout,
        to_stdout
    );
    let named = format!("wasi_snapshot_preview1={}", adapter.display());
    assert_eq!(run(&["--adapt", &named]).stdout, to_stdout);
    // `--validate=false` is `--skip-validation`; `--validate` alone is on.
    assert_eq!(
        run(&["--validate=false"]).stdout,
        run(&["--skip-validation"]).stdout
    );
    assert_eq!(run(&["--validate"]).stdout, to_stdout);
    assert_eq!(run(&["--debug-names=false"]).stdout, to_stdout);
    assert_ne!(run(&["--debug-names=true"]).stdout, to_stdout);
    // `-v` says which variant and why, which adapter, and the imports.
    let said = stderr(&run(&["-v"]));
    assert!(
        said.contains("variant: command (the module exports `_start`)"),
        "{said}"
    );
    assert!(
        said.contains("wasi_snapshot_preview1: the built-in command adapter"),
        "{said}"
    );
    assert!(
        said.contains("imports (") && said.contains("wasi:cli/stdout@"),
        "{said}"
    );
    let said = stderr(&run(&["-v", "--proxy"]));
    assert!(said.contains("variant: proxy (--proxy)"), "{said}");
    // Two adapters for one module name: one clear line, no output.
    let twice = scratch("flags-twice.wasm");
    let _ = std::fs::remove_file(&twice);
    let o = mmadapt(&[
        "component",
        "new",
        input,
        "--adapt",
        adapter.to_str().unwrap(),
        "--adapt",
        &named,
        "-o",
        twice.to_str().unwrap(),
    ]);
    assert_clean_error(
        &o,
        input,
        "two adapters for import module `wasi_snapshot_preview1`",
    );
    assert!(!twice.exists());
}

#[test]
fn component_new_errors() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "nomem",
            r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (memory 1) (func (export "_start")))"#,
            "exports no memory named `memory`",
        ),
        (
            "missing",
            r#"(module (import "wasi_snapshot_preview1" "fd_frobnicate" (func)) (memory (export "memory") 1) (func (export "_start")))"#,
            "which the preview1 adapter does not provide",
        ),
        (
            "unknown",
            r#"(module (import "env" "foo" (func)) (memory (export "memory") 1) (func (export "_start")))"#,
            "from unknown module `env`",
        ),
        ("notwasm", "this is not wasm", "not a WebAssembly binary"),
    ];
    for (name, wat, needle) in cases {
        let (o, out) = component_new(wat, name, &[]);
        let input = scratch(&format!("{name}.wat"));
        assert_clean_error(&o, input.to_str().unwrap(), needle);
        assert!(!out.exists(), "{name}: no output after an error");
    }
    // Already a component.
    let (o, out) = component_new(HELLO_P1, "twice", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = mmadapt(&["component", "new", out.to_str().unwrap(), "-o", "-"]);
    assert_clean_error(&again, out.to_str().unwrap(), "already a component");
}

/// The sections of a core module that must reach the component unchanged:
/// the code section and every custom section (names, DWARF, producers
/// aside, which wit-component extends).
fn preserved_sections(module: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.unwrap() {
            wasmparser::Payload::CodeSectionStart { range, .. } => {
                out.push(("code".into(), module[range.start..range.end].to_vec()))
            }
            wasmparser::Payload::CustomSection(c) if c.name() != "producers" => {
                out.push((c.name().to_string(), c.data().to_vec()))
            }
            _ => {}
        }
    }
    out
}

#[test]
fn component_new_keeps_the_main_module_code_and_custom_sections() {
    let with_custom = HELLO_P1.replacen(
        "(module",
        r#"(module $hello (@custom ".debug_info" "\01\02\03") (@custom "my-metadata" "keep me")"#,
        1,
    );
    let main = wat::parse_str(&with_custom).unwrap();
    let expected = preserved_sections(&main);
    assert!(expected.iter().any(|(n, _)| n == ".debug_info"));
    assert!(expected.iter().any(|(n, _)| n == "name"));
    let (o, out) = component_new(&with_custom, "custom", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let component = std::fs::read(out).unwrap();
    // Find the embedded core modules and compare.
    let mut found = false;
    for payload in wasmparser::Parser::new(0).parse_all(&component) {
        if let wasmparser::Payload::ModuleSection {
            unchecked_range, ..
        } = payload.unwrap()
        {
            let module = &component[unchecked_range.start..unchecked_range.end];
            found |= preserved_sections(module) == expected;
        }
    }
    assert!(
        found,
        "no core module of the component has the main module's code and custom sections"
    );
}

/// `mmadapt::ComponentEncoder` (wit-component's builder steps) and
/// `mmadapt component new` give the same bytes for the same module and
/// options.
#[test]
fn component_encoder_api_gives_the_cli_bytes() {
    let main = wat::parse_str(HELLO_P1).unwrap();
    let encode = |f: &dyn Fn(&mut mmadapt::ComponentEncoder)| {
        let mut encoder = mmadapt::ComponentEncoder::default();
        encoder.validate(true).module(&main).unwrap();
        f(&mut encoder);
        encoder.encode().unwrap()
    };
    for (flags, setup) in [
        (
            &[][..],
            &(|_: &mut mmadapt::ComponentEncoder| {}) as &dyn Fn(&mut _),
        ),
        (&["--reactor"][..], &|e: &mut mmadapt::ComponentEncoder| {
            e.variant(mmadapt::Variant::Reactor);
        }),
        (
            &["--debug-names"][..],
            &|e: &mut mmadapt::ComponentEncoder| {
                e.debug_names(true);
            },
        ),
        (
            &["--emit-canonical-names"][..],
            &|e: &mut mmadapt::ComponentEncoder| {
                e.emit_canonical_names(true);
            },
        ),
    ] {
        let name = format!("encoder{}", flags.join(""));
        let (o, out) = component_new(HELLO_P1, &name, flags);
        assert!(o.status.success(), "{flags:?}: {}", stderr(&o));
        assert_eq!(std::fs::read(&out).unwrap(), encode(setup), "{flags:?}");
    }
}

/// The rest of `wasm-tools component new`'s flags: accepted under the same
/// names, each doing what it does there (README, "component new flags").
#[test]
fn the_other_wasm_tools_flags() {
    let plain = {
        let (o, out) = component_new(HELLO_P1, "wt-plain", &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(out).unwrap()
    };
    let with = |name: &str, flags: &[&str]| {
        let (o, out) = component_new(HELLO_P1, name, flags);
        assert!(o.status.success(), "{flags:?}: {}", stderr(&o));
        std::fs::read(out).unwrap()
    };
    // No effect on a component whose adapter is a two-memory one (nothing
    // to colour; the private memory has its own realloc; semver merging is
    // on by default).
    for flags in [
        &["--color", "never"][..],
        &["--realloc-via-memory-grow"][..],
        &["--merge-imports-based-on-semver"][..],
        &["--merge-imports-based-on-semver=true"][..],
        &["--return-call-ref=false"][..],
    ] {
        assert_eq!(with("wt-same", flags), plain, "{flags:?}");
    }
    // Canonical names: `@0.2` instead of the full version.
    let canonical = component_imports(&with("wt-canon", &["--emit-canonical-names"]));
    assert!(
        canonical.iter().any(|n| n.starts_with("wasi:cli/stdout@0.2") && !n.starts_with("wasi:cli/stdout@0.2.")),
        "{canonical:?}"
    );
    // `--import-name OLD=NEW` renames an instance import.
    let stdout = component_imports(&plain)
        .into_iter()
        .find(|n| n.starts_with("wasi:cli/stdout@"))
        .unwrap();
    let renamed = component_imports(&with(
        "wt-rename",
        &["--import-name", &format!("{stdout}=my:renamed/stdout")],
    ));
    assert!(
        renamed.contains(&"my:renamed/stdout".to_string()),
        "{renamed:?}"
    );
    assert!(!renamed.contains(&stdout), "{renamed:?}");
    // The shim calls through `return_call_ref`.
    let tail = wasmprinter::print_bytes(with("wt-tail", &["--return-call-ref"])).unwrap();
    assert!(
        tail.contains("return_call_ref"),
        "the shim uses return_call_ref"
    );
    // `-g` / `--generate-dwarf`: DWARF for the text input, in the main
    // module.
    for flags in [&["-g"][..], &["--generate-dwarf", "lines"][..]] {
        let text = wasmprinter::print_bytes(with("wt-dwarf", flags)).unwrap();
        assert!(text.contains(".debug_line"), "{flags:?}");
    }
    assert!(!wasmprinter::print_bytes(&plain)
        .unwrap()
        .contains(".debug_line"));
    // `--reject-legacy-names`: the preview1 adapters (the standard one as
    // well, under wasm-tools 1.262) import WASI under the legacy names, so
    // wit-component refuses them, in one line.
    let (o, out) = component_new(HELLO_P1, "wt-legacy", &["--reject-legacy-names"]);
    let input = scratch("wt-legacy.wat");
    assert_clean_error(
        &o,
        input.to_str().unwrap(),
        "unknown or invalid component model import syntax",
    );
    assert!(!out.exists());
    // A malformed `--import-name`: one line, no output.
    let (o, out) = component_new(HELLO_P1, "wt-bad", &["--import-name", "nonsense"]);
    let input = scratch("wt-bad.wat");
    assert_clean_error(&o, input.to_str().unwrap(), "expected OLD=NEW");
    assert!(!out.exists());
}
