use super::*;
use crate::policy::load::yaml::Documents;

fn root(text: &str) -> Rc<Node> {
    Documents::new(text)
        .next_document()
        .expect("a document")
        .expect("valid YAML")
}

fn read<T: FromYaml>(text: &str) -> Result<T, Refusal> {
    let node = root(text);
    let path = Path::Key(&Path::Root, "value");
    T::from_yaml(At {
        node: &node,
        path: &path,
    })
}

#[test]
fn a_key_path_reads_as_it_is_written() {
    let spec = Path::Key(&Path::Root, "spec");
    let audit = Path::Key(&spec, "audit");
    let add = Path::Key(&audit, "add");
    assert_eq!(Path::Index(&add, 1).to_string(), "spec.audit.add[1]");
    assert_eq!(Path::Root.within(), "");
    assert_eq!(audit.within(), " in `spec.audit`");
}

#[test]
fn plain_scalars_are_read_by_yamls_core_schema() {
    assert_eq!(resolve("true"), Scalar::Bool(true));
    assert_eq!(resolve("FALSE"), Scalar::Bool(false));
    assert_eq!(resolve("~"), Scalar::Null);
    assert_eq!(resolve(""), Scalar::Null);
    assert_eq!(resolve("-12"), Scalar::Int(-12));
    assert_eq!(resolve("0x1F"), Scalar::Int(31));
    assert_eq!(resolve("1.5e3"), Scalar::Float);
    assert_eq!(resolve("yes"), Scalar::Text("yes"));
    assert_eq!(resolve("180d"), Scalar::Text("180d"));
    assert_eq!(resolve("99999999999999999999"), Scalar::Float);
}

#[test]
fn a_quoted_scalar_is_text_whatever_it_says() {
    assert_eq!(
        read::<bool>("'true'").map_err(|r| r.message),
        Err("wrong type in `value`: expected a boolean, found string \"true\"".to_string())
    );
    assert_eq!(read::<String>("\"42\"").ok().as_deref(), Some("42"));
    assert_eq!(read::<String>("42").ok().as_deref(), Some("42"));
    assert_eq!(
        read::<i64>("!!str 42").map_err(|r| r.message),
        Err("wrong type in `value`: expected an integer, found string \"42\"".to_string())
    );
}

#[test]
fn a_tag_outside_the_core_schema_is_refused() {
    let refusal = read::<String>("!secret x").expect_err("an unknown tag");
    assert_eq!(
        refusal.message,
        "the tag `!secret` means nothing in a policy"
    );
}

#[test]
fn a_wrong_type_names_the_path_what_was_expected_and_what_was_found() {
    let refusal = read::<Vec<String>>("{a: 1}").expect_err("a mapping");
    assert_eq!(
        refusal.message,
        "wrong type in `value`: expected a list, found mapping"
    );
    let long = "x".repeat(500);
    let refusal = read::<bool>(&long).expect_err("a string");
    assert!(
        refusal.message.ends_with("(500 characters)\""),
        "{}",
        refusal.message
    );
}

#[test]
fn a_mapping_refuses_unknown_and_repeated_keys_at_the_key() {
    let node = root("good: 1\nbadd: 2\n");
    let path = Path::Key(&Path::Root, "spec");
    let at = At {
        node: &node,
        path: &path,
    };
    let refusal = at.mapping(&["good", "bad"]).err().expect("an unknown key");
    assert_eq!(
        refusal.message,
        "unknown key `badd` in `spec`; did you mean `bad`?"
    );
    assert_eq!(
        refusal.hint.as_deref(),
        Some("valid keys in `spec` are `good`, `bad`")
    );
    assert_eq!((refusal.mark.line, refusal.mark.column), (1, 0));

    let node = root("good: 1\ngood: 2\n");
    let refusal = At {
        node: &node,
        path: &path,
    }
    .mapping(&["good"])
    .err()
    .expect("a repeated key");
    assert_eq!(refusal.message, "key `good` is given twice in `spec`");
    assert_eq!(refusal.mark.line, 1);
}

#[test]
fn an_absent_or_null_optional_key_is_none_and_a_missing_required_one_is_refused() {
    let node = root("a: ~\n");
    let path = Path::Key(&Path::Root, "spec");
    let Ok(fields) = At {
        node: &node,
        path: &path,
    }
    .mapping(&["a", "b"]) else {
        panic!("a mapping")
    };
    assert_eq!(fields.optional::<bool>("a"), Ok(None));
    assert_eq!(fields.optional::<bool>("b"), Ok(None));
    let refusal = fields.required::<bool>("b").expect_err("missing");
    assert_eq!(refusal.message, "missing key `b` in `spec`");
}
