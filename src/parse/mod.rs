//! Parsers for the kinds whose rules need more than lines: each fills its slot of the
//! document's parse cache on first request, so a file is parsed at most once and only
//! when a rule asks.

pub mod python;
