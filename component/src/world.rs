//! What the main module's embedded WIT world says about the adapter it needs.

use anyhow::{Context, Result};
use wasm_encoder_component as wasm_encoder;
use wasmparser_component::{Parser, Payload};

/// The interface whose export makes a module a `wasi:http/proxy` handler.
pub const HTTP_INCOMING_HANDLER: &str = "wasi:http/incoming-handler";

/// Whether the main module's `component-type` sections (the world its
/// bindings were generated for) export `wasi:http/incoming-handler`, at any
/// version: such a module runs on proxy hosts and needs the proxy adapter.
/// A module that does not parse, or whose sections do not decode, does not
/// (the checks before assembly and wit-component report what is wrong).
pub fn exports_http_handler(main: &[u8]) -> bool {
    http_handler(main).unwrap_or(false)
}

fn http_handler(main: &[u8]) -> Result<bool> {
    // Only the custom sections matter: decode a module of just those, so a
    // large main module is not copied.
    let mut worlds = wasm_encoder::Module::new();
    let mut any = false;
    for payload in crate::module_facts::payloads_but_code(main)? {
        if let Payload::CustomSection(c) = payload {
            if c.name().starts_with("component-type") {
                worlds.section(&wasm_encoder::CustomSection {
                    name: c.name().into(),
                    data: c.data().into(),
                });
                any = true;
            }
        }
    }
    if !any {
        return Ok(false);
    }
    let (_, bindgen) = wit_component::metadata::decode(&worlds.finish())
        .context("decoding the main module's component-type sections")?;
    let world = &bindgen.resolve.worlds[bindgen.world];
    Ok(world.exports.keys().any(|key| {
        let name = bindgen.resolve.name_world_key(key);
        name == HTTP_INCOMING_HANDLER || name.starts_with(&format!("{HTTP_INCOMING_HANDLER}@"))
    }))
}

/// The names a component imports (its top-level import section), in order.
pub fn component_imports(component: &[u8]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        match payload? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(s) if depth == 0 => {
                for i in s {
                    out.push(i?.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(out)
}
