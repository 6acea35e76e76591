//! Where sources come from. Every discoverer yields [`Source`]s; the engine does not care
//! which one produced them.

pub mod tree;

/// Where a source's bytes were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file in the working tree.
    WorkingTree,
}

/// One file's content, named by its path relative to the scan root.
#[derive(Debug, Clone)]
pub struct Source {
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

/// Why a file was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    Binary,
    TooLarge,
    Unreadable,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too large",
            SkipReason::Unreadable => "unreadable",
        }
    }
}

/// True when `bytes` look binary: a NUL byte in the first 8 KiB.
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}
