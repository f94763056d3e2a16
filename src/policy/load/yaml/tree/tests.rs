use super::*;

fn first(text: &str) -> Result<Rc<Node>, TreeError> {
    Documents::new(text).next_document().expect("a document")
}

fn scalar(node: &Node) -> &str {
    match &node.value {
        Value::Scalar { text, .. } => text,
        other => panic!("a scalar expected, got {other:?}"),
    }
}

#[test]
fn every_node_knows_where_it_starts() {
    let root = first("spec:\n  audit:\n    owner: [a, 'b']\n").expect("valid");
    let Value::Mapping(entries) = &root.value else {
        panic!("a mapping")
    };
    let (key, spec) = &entries[0];
    assert_eq!((key.mark.line, key.mark.column), (0, 0));
    let Value::Mapping(entries) = &spec.value else {
        panic!("a mapping")
    };
    let (_, audit) = &entries[0];
    let Value::Mapping(entries) = &audit.value else {
        panic!("a mapping")
    };
    let (owner, list) = &entries[0];
    assert_eq!(scalar(owner), "owner");
    assert_eq!((owner.mark.line, owner.mark.column), (2, 4));
    let Value::Sequence(items) = &list.value else {
        panic!("a sequence")
    };
    let places: Vec<(usize, usize, &str)> = items
        .iter()
        .map(|item| (item.mark.line, item.mark.column, scalar(item)))
        .collect();
    assert_eq!(places, [(2, 12, "a"), (2, 15, "b")]);
}

#[test]
fn an_alias_shares_the_node_its_anchor_names() {
    let root = first("a: &x [1, 2]\nb: *x\n").expect("valid");
    let Value::Mapping(entries) = &root.value else {
        panic!("a mapping")
    };
    assert!(Rc::ptr_eq(&entries[0].1, &entries[1].1));
}

#[test]
fn an_alias_to_no_anchor_is_refused_at_the_alias() {
    let error = first("a: 1\nb: *missing\n").expect_err("unknown anchor");
    assert_eq!(
        error,
        TreeError::UnknownAnchor {
            anchor: "missing".to_string(),
            mark: Mark {
                index: 8,
                line: 1,
                column: 3
            }
        }
    );
}

#[test]
fn aliases_that_would_expand_the_document_too_far_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..=9 {
        let list = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{list}]\n"));
    }
    let error = first(&text).expect_err("an alias bomb");
    assert!(matches!(error, TreeError::TooManyAliases(_)), "{error:?}");
}

#[test]
fn a_few_repeated_aliases_are_fine() {
    let text = "owners: &owners [MailboxLogin, HardDelete, SoftDelete]\na: *owners\nb: *owners\nc: *owners\n";
    assert!(first(text).is_ok());
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_at_the_first_level_too_deep() {
    // Block sequences nested by indentation: no flow brackets for the loader's pre-scan.
    let text: String = (0..=MAX_DEPTH)
        .map(|depth| format!("{}-\n", "  ".repeat(depth)))
        .collect();
    let error = first(&text).expect_err("too deep");
    assert_eq!(error, TreeError::TooDeep(error.mark()));
    assert_eq!(error.mark().line, MAX_DEPTH);
}

#[test]
fn a_syntax_error_carries_the_parsers_problem_context_and_place() {
    let error = first("a: [1, 2\nb: 3\n").expect_err("unclosed");
    let TreeError::Syntax(syntax) = error else {
        panic!("a syntax error")
    };
    assert_eq!(syntax.problem, "did not find expected ',' or ']'");
    assert_eq!(
        syntax.context.as_deref(),
        Some("while parsing a flow sequence")
    );
    assert_eq!((syntax.mark.line, syntax.mark.column), (1, 1));
}

#[test]
fn several_documents_are_read_one_after_another() {
    let mut documents = Documents::new("a: 1\n---\nb: 2\n...\n");
    let mut roots = Vec::new();
    while let Some(document) = documents.next_document() {
        roots.push(document.expect("valid"));
    }
    assert_eq!(roots.len(), 2);
    assert_eq!(roots[1].mark.line, 2);
}
