//! smartedu-lint: finds what would fail a production-hardening review.
//!
//! The pipeline: [`discover`] → [`kind`] → [`document`] (parse on demand) → [`rules`] →
//! [`suppress`] → [`report`], driven by [`engine`].

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod document;
pub mod engine;
pub mod finding;
pub mod fingerprint;
pub mod kind;
pub mod parse;
pub mod report;
pub mod rules;
pub mod suppress;
