//! The OPATH subset Get-Mailbox's `-Filter` understands in the emulator.

use crate::tenant::Object;
use crate::wire::CmdletError;
use serde_json::Value;

/// The small OPATH subset the emulator filters by: `Property -eq|-ne|-like 'value'` clauses
/// joined by `-and` (binding tighter) and `-or`, without parentheses.
pub struct Filter {
    any_of: Vec<Vec<Clause>>,
}

struct Clause {
    property: String,
    operator: String,
    value: String,
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, CmdletError> {
        let invalid = || {
            CmdletError::bad_request(
                "Microsoft.Exchange.Management.Tasks.ParsingException",
                format!("Invalid filter syntax. For a description of the filter parameter syntax see the command help. \"{text}\""),
            )
        };
        let text = text.trim().trim_start_matches('{').trim_end_matches('}');
        let mut any_of = Vec::new();
        for alternative in split_words(text, "-or") {
            let mut all_of = Vec::new();
            for clause in split_words(&alternative, "-and") {
                let clause = clause.trim();
                let mut words = clause.splitn(3, char::is_whitespace);
                let (Some(property), Some(operator), Some(value)) =
                    (words.next(), words.next(), words.next())
                else {
                    return Err(invalid());
                };
                let operator = operator.to_ascii_lowercase();
                if !["-eq", "-ne", "-like", "-notlike"].contains(&operator.as_str()) {
                    return Err(invalid());
                }
                let value = value.trim();
                let unquoted = ['\'', '"']
                    .iter()
                    .find_map(|quote| {
                        value
                            .strip_prefix(*quote)
                            .and_then(|v| v.strip_suffix(*quote))
                    })
                    .unwrap_or(value);
                all_of.push(Clause {
                    property: property.to_string(),
                    operator,
                    value: unquoted.to_string(),
                });
            }
            any_of.push(all_of);
        }
        Ok(Filter { any_of })
    }

    pub fn matches(&self, mailbox: &Object) -> bool {
        self.any_of
            .iter()
            .any(|all_of| all_of.iter().all(|clause| clause.matches(mailbox)))
    }
}

impl Clause {
    pub fn matches(&self, mailbox: &Object) -> bool {
        let values: Vec<String> = match mailbox
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(&self.property))
            .map(|(_, value)| value)
        {
            Some(Value::Array(items)) => items.iter().map(plain).collect(),
            Some(value) => vec![plain(value)],
            None => vec![String::new()],
        };
        let hit = |value: &String| match self.operator.as_str() {
            "-like" | "-notlike" => like(&self.value, value),
            _ => value.eq_ignore_ascii_case(&self.value),
        };
        let any = values.iter().any(hit);
        match self.operator.as_str() {
            "-ne" | "-notlike" => !any,
            _ => any,
        }
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `*` wildcards, case-insensitive.
fn like(pattern: &str, value: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let value = value.to_ascii_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return value == pattern;
    };
    if parts.len() == 1 {
        return value == pattern;
    }
    let Some(mut rest) = value.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Splits on a keyword surrounded by whitespace, ignoring case and quoted text.
fn split_words(text: &str, keyword: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quote: Option<char> = None;
    let words: Vec<&str> = text.split(' ').collect();
    for word in words {
        let current = parts.last_mut().expect("parts is never empty");
        if quote.is_none() && word.eq_ignore_ascii_case(keyword) {
            parts.push(String::new());
            continue;
        }
        for c in word.chars() {
            match quote {
                Some(open) if c == open => quote = None,
                None if c == '\'' || c == '"' => quote = Some(c),
                _ => {}
            }
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    parts
}
