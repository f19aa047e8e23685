//! mmadapt as a library: the pieces the `mmadapt` binary is made of, for build
//! scripts and tests.

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
