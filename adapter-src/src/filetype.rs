//! preview1 `filetype`: its values and the one for a WASI 0.2 descriptor
//! type, shared by `fd_fdstat_get`, the `filestat`s ([`crate::fd`]) and
//! the entries of `fd_readdir` ([`crate::readdir`]).

use wasip2::filesystem::types::DescriptorType;

pub const UNKNOWN: u8 = 0;
pub const BLOCK_DEVICE: u8 = 1;
pub const CHARACTER_DEVICE: u8 = 2;
pub const DIRECTORY: u8 = 3;
pub const REGULAR_FILE: u8 = 4;
pub const SYMBOLIC_LINK: u8 = 7;

/// The `filetype` of a WASI 0.2 descriptor type (native `TryFrom`): FIFOs
/// are "unknown"; a socket traps (native fails the same way; no host
/// reports one).
pub fn of(t: DescriptorType) -> u8 {
    match t {
        DescriptorType::Unknown | DescriptorType::Fifo => UNKNOWN,
        DescriptorType::BlockDevice => BLOCK_DEVICE,
        DescriptorType::CharacterDevice => CHARACTER_DEVICE,
        DescriptorType::Directory => DIRECTORY,
        DescriptorType::SymbolicLink => SYMBOLIC_LINK,
        DescriptorType::RegularFile => REGULAR_FILE,
        DescriptorType::Socket => crate::trap(),
    }
}
