//! The main module's stand-in, and the real main module spliced back in its
//! place: the main module is read in place and copied once, into the
//! output.
//!
//! wit-component copies the main module several times (`ComponentEncoder::
//! module` strips its `component-type:*` sections, renames duplicate imports
//! and merges its `producers` section, each into a new buffer; the component
//! is built in another), and the assembly's own rewrites would copy it with
//! the component each time. None of them looks at code, data or most
//! custom sections: wit-component reads only the module's types, imports,
//! exports and WIT world (`validation.rs` `ValidatedModule::new`, which does
//! not validate function bodies). So wit-component and the rewrites work on
//! a stand-in with the same sections except:
//! - the code section: the same number of bodies, each `unreachable`;
//! - no data or data count section;
//! - only the custom sections wit-component reads (`component-type:*`) or
//!   rewrites (`wasm-metadata`'s `rewrite_wasm`, which `module` calls to
//!   merge the `producers` those sections carry: `producers`, `name`, and
//!   the metadata ones; only when there are such sections).
//!
//! [`splice`] then puts back, in the stand-in's module section of the
//! finished component, the module wit-component would have embedded: the
//! stand-in's sections as wit-component left them (renamed imports, merged
//! producers and names), with the real code, data, data count and other
//! custom sections where they were, and no `component-type:*` section.
//! The result is byte for byte the one wit-component builds from the real
//! module.

use anyhow::{bail, ensure, Context, Result};
use std::borrow::Cow;
use std::ops::Range;
use wasm_encoder_component::Encode;
use wasmparser_component::{BinaryReader, CodeSectionReader};

/// Section ids of a core module.
const CUSTOM: u8 = 0;
const CODE: u8 = 10;
const DATA: u8 = 11;
const DATA_COUNT: u8 = 12;
/// The section id of a core module in a component.
const CORE_MODULE: u8 = 1;
/// The length of the `\0asm` magic and version.
const HEADER: usize = 8;

/// Custom sections `wasm-metadata` rewrites when wit-component merges the
/// main module's `producers` (`rewrite.rs` in wasm-metadata 0.263; the last
/// ones with its `oci` feature): the stand-in keeps them so that
/// wit-component's version of each comes out of it.
const REWRITTEN: &[&str] = &[
    "producers",
    "name",
    "component-name",
    "authors",
    "description",
    "licenses",
    "source",
    "homepage",
    "revision",
    "version",
];

/// One section of a module or component: its id, where it starts (at the
/// id byte) and its contents.
struct Section<'a> {
    id: u8,
    start: usize,
    body: Range<usize>,
    /// The custom section's name (empty for other sections).
    name: &'a [u8],
}

impl Section<'_> {
    /// The whole section, id and size included.
    fn bytes<'b>(&self, module: &'b [u8]) -> &'b [u8] {
        &module[self.start..self.body.end]
    }
}

/// What becomes of one section of the main module.
#[derive(PartialEq)]
enum Role {
    /// In the stand-in as it is, and wit-component's version of it goes in
    /// the output.
    Shared,
    /// In the stand-in, stripped by wit-component: in neither output.
    WitWorld,
    /// The code section: the stand-in has bodies of its own in its place.
    Code,
    /// Not in the stand-in: the real one goes in the output.
    RealOnly,
}

/// `has_world`: whether the module has `component-type:*` sections. Only
/// their `producers` make wit-component rewrite the [`REWRITTEN`] sections
/// (`metadata::decode` starts with none), so without them those sections
/// (a large `name` section, typically) stay out of the stand-in.
fn role(s: &Section<'_>, has_world: bool) -> Role {
    match s.id {
        CUSTOM if is_world(s) => Role::WitWorld,
        CUSTOM if has_world && REWRITTEN.iter().any(|n| n.as_bytes() == s.name) => Role::Shared,
        CUSTOM | DATA | DATA_COUNT => Role::RealOnly,
        CODE => Role::Code,
        _ => Role::Shared,
    }
}

fn is_world(s: &Section<'_>) -> bool {
    s.id == CUSTOM && s.name.starts_with(b"component-type")
}

/// The stand-in for `main` (see the module doc).
pub fn build(main: &[u8]) -> Result<Vec<u8>> {
    let sections = sections(main, HEADER)?;
    let has_world = sections.iter().any(is_world);
    let mut out = main[..HEADER].to_vec();
    for s in &sections {
        match role(s, has_world) {
            Role::Shared | Role::WitWorld => out.extend_from_slice(s.bytes(main)),
            Role::Code => {
                // Read every body's size, as wit-component's parse of the
                // module did, so that a code section that does not parse is
                // refused here rather than embedded.
                let code = CodeSectionReader::new(BinaryReader::new(
                    &main[s.body.clone()],
                    s.body.start as u64,
                ))?;
                let count = code.count();
                for body in code {
                    body?;
                }
                // Each body: size 3, no locals, `unreachable`, `end`.
                let mut body = Vec::with_capacity(5 + 4 * count as usize);
                count.encode(&mut body);
                for _ in 0..count {
                    body.extend_from_slice(&[3, 0, 0x00, 0x0b]);
                }
                out.push(CODE);
                (body.len() as u32).encode(&mut out);
                out.extend_from_slice(&body);
            }
            Role::RealOnly => {}
        }
    }
    Ok(out)
}

/// `component` (built around `standin`, [`build`]`(main)`) with `main` in
/// place of the stand-in: its first core module section, which is the main
/// module's (wit-component encodes the main module before any other).
pub fn splice(component: &[u8], main: &[u8], standin: &[u8]) -> Result<Vec<u8>> {
    let top = sections(component, HEADER)?;
    let slot = top
        .iter()
        .find(|s| s.id == CORE_MODULE)
        .context("the component has no core module")?;
    let embedded_bytes = &component[slot.body.clone()];
    // wit-component embeds the module as it was given unless it changed
    // something; then every section has gone through wasm-encoder's
    // `RawSection`, which writes each section's size in the fewest bytes
    // (Go's linker pads them to five).
    let reencoded = embedded_bytes != standin;
    let embedded = sections(embedded_bytes, HEADER)?;
    let mut embedded = embedded.iter();
    let mut pieces: Vec<Cow<'_, [u8]>> = vec![embedded_bytes[..HEADER].into()];
    let main_sections = sections(main, HEADER)?;
    let has_world = main_sections.iter().any(is_world);
    for s in main_sections {
        let role = role(&s, has_world);
        if role == Role::WitWorld {
            continue;
        }
        if role != Role::RealOnly {
            let e = embedded
                .next()
                .context("the embedded stand-in has fewer sections than the main module")?;
            ensure!(
                e.id == s.id && e.name == s.name,
                "the embedded stand-in's sections do not line up with the main module's (section {} against {})",
                e.id,
                s.id
            );
            if role == Role::Shared {
                pieces.push(e.bytes(embedded_bytes).into());
                continue;
            }
        }
        if reencoded {
            let mut header = vec![s.id];
            (s.body.len() as u32).encode(&mut header);
            pieces.push(header.into());
            pieces.push(main[s.body.clone()].into());
        } else {
            pieces.push(s.bytes(main).into());
        }
    }
    // Sections wit-component appended (a `producers` section when the
    // module had none).
    pieces.extend(embedded.map(|e| e.bytes(embedded_bytes).into()));
    let size: usize = pieces.iter().map(|p| p.len()).sum();
    let Ok(size32) = u32::try_from(size) else {
        bail!("the component's main module would be {size} bytes, over 4 GiB");
    };
    let mut out = Vec::with_capacity(component.len() - (slot.body.end - slot.start) + 6 + size);
    out.extend_from_slice(&component[..slot.start]);
    out.push(CORE_MODULE);
    size32.encode(&mut out);
    for p in pieces {
        out.extend_from_slice(&p);
    }
    out.extend_from_slice(&component[slot.body.end..]);
    Ok(out)
}

/// The sections of a module or component (`bytes`, whose header is
/// `header` bytes long), read from their sizes alone.
fn sections(bytes: &[u8], header: usize) -> Result<Vec<Section<'_>>> {
    let mut out = Vec::new();
    let mut reader = BinaryReader::new(&bytes[header..], header as u64);
    while !reader.eof() {
        let start = reader.original_position() as usize;
        let id = reader.read_u8()?;
        let size = reader.read_var_u32()? as usize;
        let from = reader.original_position() as usize;
        let body = from..from + size;
        let mut section = BinaryReader::new(reader.read_bytes(size)?, from as u64);
        let name = if id == CUSTOM {
            let n = section.read_var_u32()? as usize;
            section.read_bytes(n)?
        } else {
            &[]
        };
        out.push(Section {
            id,
            start,
            body,
            name,
        });
    }
    Ok(out)
}
