//! Test support: mmadapt-component's entry point, [`Encoder`], with the
//! built-in preview1 adapters, which the CLI crate embeds (see the
//! dev-dependency in Cargo.toml).

use mmadapt::adapter::adapter;
use mmadapt_component::Encoder;

/// `main` as a component, with the built-in adapter of the variant the
/// module gets, validated or not.
pub fn encode(main: &[u8], validate: bool) -> anyhow::Result<Vec<u8>> {
    let mut encoder = Encoder::with_builtin_adapters(adapter);
    encoder.validate(validate).module(main)?;
    encoder.encode()
}
