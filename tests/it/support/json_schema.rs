//! Validating documents against a committed JSON Schema, with boon.
#![allow(dead_code)]

use super::cli::repo;

/// A compiled schema from the repository.
pub struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    /// Compiles the schema at `path`, relative to the repository root.
    pub fn committed(path: &str) -> Validator {
        let text = std::fs::read_to_string(repo().join(path))
            .unwrap_or_else(|_| panic!("{path} is committed"));
        let schema: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path} is JSON"));
        let url = format!("file:///{path}");
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource(&url, schema)
            .expect("the schema is a resource");
        let index = compiler
            .compile(&url, &mut schemas)
            .unwrap_or_else(|error| panic!("{path} compiles: {error:#}"));
        Validator { schemas, index }
    }

    pub fn check(&self, document: &serde_json::Value) -> Result<(), String> {
        self.schemas
            .validate(document, self.index)
            .map_err(|error| format!("{error:#}"))
    }
}
