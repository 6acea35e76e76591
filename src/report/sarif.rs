//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning.

use std::io::Write;

use crate::engine::ScanResult;

pub fn write(_result: &ScanResult, _out: &mut dyn Write) -> std::io::Result<()> {
    Err(std::io::Error::other("SARIF output is not built yet"))
}
