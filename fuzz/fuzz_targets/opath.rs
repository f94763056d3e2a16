//! OPATH filters from a policy's `selector.filter`: any text, parsed; a refusal points inside
//! the text; an accepted filter reads back from its canonical text as the same filter, and is
//! evaluated against property values of every kind.
#![no_main]

use auditform::model::PropertyValue;
use auditform::policy::opath::Filter;
use libfuzzer_sys::fuzz_target;

fn values() -> Vec<PropertyValue> {
    vec![
        PropertyValue::Null,
        PropertyValue::Bool(true),
        PropertyValue::Bool(false),
        PropertyValue::Number(42.0),
        PropertyValue::Number(-0.5),
        PropertyValue::Text("".into()),
        PropertyValue::Text("UserMailbox".into()),
        PropertyValue::Text("pilar@contoso.com".into()),
        PropertyValue::Text("ßtraße İstanbul ǅ".into()),
        PropertyValue::List(vec![]),
        PropertyValue::List(vec!["Update".into(), "MoveToDeletedItems".into()]),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Filter::parse(text) {
        Err(error) => {
            assert!(error.offset <= text.len(), "{error:?}");
            assert!(text.is_char_boundary(error.offset), "{error:?}");
            let _ = error.explain(text);
        }
        Ok(filter) => {
            let source = filter.source();
            let again = Filter::parse(&source)
                .unwrap_or_else(|error| panic!("canonical text {source:?} refused: {error:?}"));
            assert_eq!(again, filter, "{source:?} reads back as another filter");
            let _ = filter.properties();
            for value in values() {
                let result = filter.expr().evaluate(&|_| Some(value.clone()));
                let again = again.expr().evaluate(&|_| Some(value.clone()));
                assert_eq!(result, again);
            }
            // Each property takes a value of its own, picked by the length of its name.
            let all = values();
            let _ = filter
                .expr()
                .evaluate(&|name| Some(all[name.len() % all.len()].clone()));
        }
    }
});
