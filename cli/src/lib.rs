//! mmadapt as a library: the pieces the `mmadapt` binary is made of, for build
//! scripts, tools and tests. [`ComponentEncoder`] is the entry point for
//! tools that embed wit-component's encoder today; [`componentize`] does the
//! same from a struct of options.

pub use adapter::Variant;
pub use component::{componentize, ComponentEncoder, ComponentOptions};

pub mod adapter;
pub mod component;
pub mod io;
pub mod print;
pub mod split;

/// An error for the command line: one line, naming the file it is about.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FileError {
    pub path: String,
    pub message: String,
}

impl FileError {
    pub fn new(path: impl Into<String>, message: impl std::fmt::Display) -> FileError {
        FileError {
            path: path.into(),
            message: message.to_string(),
        }
    }
}
