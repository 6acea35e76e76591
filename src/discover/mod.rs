//! Where sources come from. Every discoverer yields [`Source`]s; the engine does not care
//! which one produced them.

pub mod diff;
pub mod gitutil;
pub mod history;
mod ignore_files;
pub mod staged;
pub mod tree;

use std::sync::Arc;

/// Where a source's bytes were read from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// A file in the working tree (or, for `--diff`, in the checked-out commit).
    #[default]
    WorkingTree,
    /// A blob of the git history, with the commit that introduced it.
    Commit(Arc<CommitMeta>),
    /// A file as staged in the git index.
    Index,
}

/// The commit that introduced a blob: what a history finding names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMeta {
    /// Full hexadecimal commit id.
    pub id: String,
    /// Author name only: e-mail addresses are personal data and stay out of reports.
    pub author: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// The author's UTC offset in minutes.
    pub offset_minutes: i32,
}

impl CommitMeta {
    /// The author date as ISO 8601 with the author's offset, e.g. `2015-01-01T12:00:00+01:00`.
    pub fn date(&self) -> String {
        let local = self.time + i64::from(self.offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let off = self.offset_minutes.unsigned_abs();
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            off / 60,
            off % 60
        )
    }
}

/// Days since 1970-01-01 to a (year, month, day) date: Howard Hinnant's algorithm, so the
/// crate needs no calendar library for one date format.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One file's content, named by its path relative to the scan root.
#[derive(Debug, Clone)]
pub struct Source {
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    pub origin: Origin,
    /// A blob of the history that no branch or tag tip holds: a version of a file that
    /// has since changed. Only the secret rules judge it, because a secret stays leaked
    /// once committed, while a Dockerfile or query that was fixed is no longer a risk.
    pub old_version: bool,
    /// The path's bytes when they are not UTF-8 (`path` is then a lossy rendering, for
    /// display): SARIF percent-encodes these, so its `uri` names the real file.
    pub raw_path: Option<Vec<u8>>,
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

/// A file's bytes as UTF-8 when they start with a byte-order mark: UTF-16 (little or big
/// endian) is re-encoded, a UTF-8 mark is dropped. `None` when there is no mark and the
/// bytes are used as they are. Windows editors save `.env` files and Dockerfiles as
/// UTF-16, whose NUL bytes would otherwise make them look binary and go unchecked; line
/// numbers stay right because line endings survive the re-encoding.
pub fn decode_bom(bytes: &[u8]) -> Option<Vec<u8>> {
    let (little, body) = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => return Some(rest.to_vec()),
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => return None,
    };
    // An odd trailing byte is not a code unit; `chunks_exact` leaves it out.
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some(text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_dates_are_iso_8601_in_the_authors_zone() {
        let meta = |time, offset_minutes| CommitMeta {
            id: String::new(),
            author: String::new(),
            time,
            offset_minutes,
        };
        assert_eq!(meta(0, 0).date(), "1970-01-01T00:00:00+00:00");
        assert_eq!(meta(1_420_070_400, 60).date(), "2015-01-01T01:00:00+01:00");
        assert_eq!(meta(951_782_400, -330).date(), "2000-02-28T18:30:00-05:30");
    }

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut out = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            let pair = if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            out.extend(pair);
        }
        out
    }

    #[test]
    fn utf16_with_a_byte_order_mark_becomes_utf8_text() {
        let text = "FROM debian:12\r\nUSER root \u{e9}\u{1F600}\n";
        for little in [true, false] {
            let raw = utf16(text, little);
            assert!(looks_binary(&raw));
            let decoded = decode_bom(&raw).unwrap();
            assert_eq!(String::from_utf8(decoded).unwrap(), text);
        }
    }

    #[test]
    fn utf8_mark_is_dropped_and_plain_bytes_are_left_alone() {
        assert_eq!(decode_bom(b"\xEF\xBB\xBFKEY=1").unwrap(), b"KEY=1");
        assert_eq!(decode_bom(b"KEY=1"), None);
        // A lone odd byte after the code units is dropped, not a panic.
        assert_eq!(decode_bom(&[0xFF, 0xFE, b'A', 0, b'B']).unwrap(), b"A");
    }
}
