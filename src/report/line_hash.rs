//! GitHub code scanning's `primaryLocationLineHash`: a rolling hash over the 100
//! non-blank characters that start at each line, with an occurrence count.
//!
//! When a SARIF result carries no such value, GitHub computes it itself from the checked-out
//! file; when it carries a different one, GitHub warns and may show duplicate alerts. So this
//! follows GitHub's algorithm exactly (checked against its test vectors): UTF-16 code units,
//! spaces and tabs skipped, CR and CRLF read as LF, wrapping 64-bit arithmetic.

use std::collections::HashMap;

const BLOCK_SIZE: usize = 100;
const MOD: u64 = 37;
const EOF: u16 = 0xFFFF;

/// The hash of every line of `text`, in line order (`"hex:occurrence"`).
pub fn line_hashes(text: &str) -> Vec<String> {
    let mut hasher = Hasher::new();
    let mut prev_cr = false;
    for unit in text.encode_utf16().chain(std::iter::once(EOF)) {
        let mut c = unit;
        // Skip spaces and tabs, and the LF of a CRLF.
        if c == b' ' as u16 || c == b'\t' as u16 || (prev_cr && c == b'\n' as u16) {
            prev_cr = false;
            continue;
        }
        prev_cr = c == b'\r' as u16;
        if prev_cr {
            c = b'\n' as u16;
        }
        hasher.push(c);
    }
    hasher.finish()
}

struct Hasher {
    window: [u16; BLOCK_SIZE],
    /// The line that starts at each window slot, if any.
    line_at: [Option<usize>; BLOCK_SIZE],
    index: usize,
    hash: u64,
    first_mod: u64,
    line: usize,
    line_start: bool,
    counts: HashMap<u64, usize>,
    out: Vec<(usize, String)>,
}

impl Hasher {
    fn new() -> Self {
        Hasher {
            window: [0; BLOCK_SIZE],
            line_at: [None; BLOCK_SIZE],
            index: 0,
            hash: 0,
            first_mod: (0..BLOCK_SIZE).fold(1u64, |m, _| m.wrapping_mul(MOD)),
            line: 0,
            line_start: true,
            counts: HashMap::new(),
            out: Vec::new(),
        }
    }

    fn push(&mut self, c: u16) {
        if self.line_at[self.index].is_some() {
            self.emit();
        }
        if self.line_start {
            self.line_start = false;
            self.line += 1;
            self.line_at[self.index] = Some(self.line);
        }
        if c == b'\n' as u16 {
            self.line_start = true;
        }
        self.update(c);
    }

    fn update(&mut self, c: u16) {
        let begin = self.window[self.index];
        self.window[self.index] = c;
        self.hash = MOD
            .wrapping_mul(self.hash)
            .wrapping_add(u64::from(c))
            .wrapping_sub(self.first_mod.wrapping_mul(u64::from(begin)));
        self.index = (self.index + 1) % BLOCK_SIZE;
    }

    fn emit(&mut self) {
        let count = self.counts.entry(self.hash).or_insert(0);
        *count += 1;
        if let Some(line) = self.line_at[self.index].take() {
            self.out.push((line, format!("{:x}:{count}", self.hash)));
        }
    }

    fn finish(mut self) -> Vec<String> {
        for _ in 0..BLOCK_SIZE {
            if self.line_at[self.index].is_some() {
                self.emit();
            }
            self.update(0);
        }
        self.out.sort_by_key(|(line, _)| *line);
        self.out.into_iter().map(|(_, h)| h).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_github_vectors() {
        let text = include_str!("../../tests/data/line-hash-vectors.json");
        let vectors: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        assert!(vectors.len() >= 5);
        for v in vectors {
            let input = v["input"].as_str().unwrap();
            let expected: Vec<String> = v["expected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap().to_string())
                .collect();
            assert_eq!(line_hashes(input), expected, "input {input:?}");
        }
    }
}
