//! Validating JUnit reports against the vendored Ant JUnit schema (tests/fixtures/junit/).
#![allow(dead_code)]

use super::cli::repo;

/// The vendored schema, compiled.
pub fn schema() -> xmlschema::Schema {
    let xsd = std::fs::read_to_string(repo().join("tests/fixtures/junit/JUnit.xsd"))
        .expect("the JUnit schema is vendored");
    xmlschema::parse_schema(&xsd).expect("the JUnit schema compiles")
}

/// Every violation of the schema, one per line; empty when the report is valid.
pub fn violations(schema: &xmlschema::Schema, xml: &str) -> Vec<String> {
    let document = match oxml::parse(xml) {
        Ok(document) => document,
        Err(error) => return vec![format!("not well-formed XML: {error}")],
    };
    xmlschema::validate(&document, schema)
        .violations
        .iter()
        .map(|violation| violation.to_string())
        .collect()
}
