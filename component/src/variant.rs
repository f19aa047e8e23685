//! The variants of the built-in preview1 adapter, and which one a main
//! module gets when none is asked for.

/// Which variant of the built-in preview1 adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// Exports `wasi:cli/run` and calls the main module's `_start`.
    Command,
    /// No `run` export; for modules that export functions of their own.
    Reactor,
    /// No `run` export, and imports only from the `wasi:http/proxy` world:
    /// for modules that export `wasi:http/incoming-handler`.
    Proxy,
}

impl Variant {
    /// The name used by the flags (`--command`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Variant::Command => "command",
            Variant::Reactor => "reactor",
            Variant::Proxy => "proxy",
        }
    }
}

/// The variant for a main module when none is asked for: proxy when its
/// WIT world exports `wasi:http/incoming-handler`, else command when it
/// exports `_start`, else reactor.
pub fn default_variant(main: &[u8]) -> Variant {
    default_variant_and_why(main).0
}

/// [`default_variant`] and the reason, as `component new -v` says it.
pub fn default_variant_and_why(main: &[u8]) -> (Variant, &'static str) {
    if crate::world::exports_http_handler(main) {
        (
            Variant::Proxy,
            "the module's WIT world exports wasi:http/incoming-handler",
        )
    } else if crate::module_facts::export_names(main).is_ok_and(|e| e.contains("_start")) {
        (Variant::Command, "the module exports `_start`")
    } else {
        (Variant::Reactor, "the module exports no `_start`")
    }
}
