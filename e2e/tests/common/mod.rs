//! Helpers shared by the e2e tests (each test file that needs one says
//! `mod common;`).

/// A split two-memory adapter from WAT: `wat` parsed, the WIT world `world`
/// of the package `wit` (file name `wit_file`, for its error messages)
/// embedded as its `component-type` section, then split by mmadapt.
pub fn split_wat_adapter(
    wat: &str,
    wit_file: &str,
    wit: &str,
    world: &str,
) -> anyhow::Result<Vec<u8>> {
    let mut adapter = wat::parse_str(wat)?;
    let mut resolve = wit_parser::Resolve::default();
    let pkg = resolve.push_str(wit_file, wit)?;
    let world = resolve.select_world(&[pkg], Some(world))?;
    wit_component::embed_component_metadata(
        &mut adapter,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )?;
    Ok(mmadapt_passes::split_bytes(&adapter)?.bytes)
}
