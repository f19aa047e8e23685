//! mmadapt as a library: the pieces the `mmadapt` binary is made of, for build
//! scripts and tests. [`componentize`] is the entry point for build scripts.

pub use adapter::Variant;
pub use component::{componentize, ComponentOptions};

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
