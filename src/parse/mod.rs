//! Parsers: each turns a document's text into a structure with positions, once, on the
//! first request of a rule (the result is cached in the document's `ParseCache`).

pub mod dockerfile;
pub mod nginx;
pub mod python;
pub mod rust;
pub mod treesitter;
pub mod yaml;

use crate::document::Document;

impl Document<'_> {
    /// The Dockerfile parse of this document, computed on first use. Parse errors are
    /// logged as warnings with their line; the instructions that parsed are kept.
    pub fn dockerfile(&self) -> &dockerfile::Dockerfile {
        self.cache.dockerfile.get_or_init(|| {
            let parsed = dockerfile::parse(self.text);
            for (line, message) in &parsed.errors {
                self.warn(*line, format!("Dockerfile: {message}"));
            }
            parsed
        })
    }

    /// The nginx configuration parse of this document, computed on first use. Syntax
    /// errors are logged as warnings with their line; what parsed is kept.
    pub fn nginx(&self) -> &nginx::NginxConf {
        self.cache.nginx.get_or_init(|| {
            let parsed = nginx::parse(self.text);
            for (line, message) in &parsed.errors {
                self.warn(*line, format!("nginx: {message}"));
            }
            parsed
        })
    }

    /// The YAML parse of this document, computed on first use. A syntax error is logged
    /// as a warning with its line; the documents before it are kept.
    pub fn yaml(&self) -> &yaml::YamlFile {
        self.cache.yaml.get_or_init(|| {
            let parsed = yaml::parse(self.text);
            if let Some((line, message)) = &parsed.error {
                self.warn(*line, format!("YAML: {message}"));
            }
            parsed
        })
    }
}
