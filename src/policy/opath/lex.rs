//! Filter text to tokens. The lexer knows PowerShell's operator spellings, so that it can name
//! the ones outside auditform's subset instead of calling them unknown.

use super::{is_double_quote, is_single_quote, CompareOp, FilterError, Value};
use crate::catalog::closest;
use crate::english::Echo;

const SUPPORTED: [&str; 7] = ["eq", "ne", "like", "notlike", "and", "or", "not"];
pub(super) const COMPARISONS: [&str; 4] = ["eq", "ne", "like", "notlike"];
const SUPPORTED_LIST: &str = "-eq -ne -like -notlike -and -or -not ( )";

/// PowerShell operators that OPATH or PowerShell know but auditform's subset does not.
#[rustfmt::skip]
const UNSUPPORTED: [&str; 30] = [
    "gt", "ge", "lt", "le", "match", "notmatch", "contains", "notcontains", "in", "notin",
    "xor", "band", "bor", "bnot", "is", "isnot", "as", "replace", "split", "join", "ceq", "cne",
    "clike", "cnotlike", "cmatch", "ieq", "ine", "ilike", "inotlike", "imatch",
];

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Operator {
    Compare(CompareOp),
    And,
    Or,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Kind<'a> {
    Open,
    Close,
    BraceOpen,
    BraceClose,
    Operator(Operator),
    Quoted(String),
    Word(&'a str),
    Number(f64),
    Constant(Value),
}

#[derive(Clone, Debug)]
pub(super) struct Token<'a> {
    pub(super) kind: Kind<'a>,
    pub(super) offset: usize,
    pub(super) len: usize,
}

pub(super) fn error(
    offset: usize,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> FilterError {
    FilterError {
        offset,
        message: message.into(),
        hint: Some(hint.into()),
    }
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(c, '(' | ')' | '{' | '}')
        && !is_single_quote(c)
        && !is_double_quote(c)
}

fn is_number(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn lex(text: &str) -> Result<Vec<Token<'_>>, FilterError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(offset, c)) = chars.peek() {
        let word_end = |from: usize| {
            text[from..]
                .char_indices()
                .find(|(_, c)| !is_word_char(*c))
                .map_or(text.len(), |(at, _)| from + at)
        };
        let (kind, end) = match c {
            _ if c.is_whitespace() => {
                chars.next();
                continue;
            }
            '(' => (Kind::Open, offset + 1),
            ')' => (Kind::Close, offset + 1),
            '{' => (Kind::BraceOpen, offset + 1),
            '}' => (Kind::BraceClose, offset + 1),
            '!' => (Kind::Operator(Operator::Not), offset + 1),
            _ if is_single_quote(c) => quoted(text, offset, c, is_single_quote)?,
            _ if is_double_quote(c) => quoted(text, offset, c, is_double_quote)?,
            '$' => {
                let end = word_end(offset + 1);
                (constant(text, offset, end)?, end)
            }
            '-' => {
                let end = word_end(offset + 1);
                let word = &text[offset..end];
                if is_number(word) {
                    (Kind::Number(number(word, offset)?), end)
                } else {
                    (Kind::Operator(operator(text, offset, end)?), end)
                }
            }
            _ => {
                let end = word_end(offset);
                let word = &text[offset..end];
                if is_number(word) {
                    (Kind::Number(number(word, offset)?), end)
                } else {
                    (Kind::Word(word), end)
                }
            }
        };
        tokens.push(Token {
            kind,
            offset,
            len: end - offset,
        });
        while chars.next_if(|(at, _)| *at < end).is_some() {}
    }
    Ok(tokens)
}

fn number(word: &str, offset: usize) -> Result<f64, FilterError> {
    word.parse::<f64>().map_err(|_| {
        error(
            offset,
            format!("`{}` is not a number", Echo(word)),
            "write digits, like 42 or 1.5",
        )
    })
}

/// A quoted string. Any quote of the opening quote's kind closes it, and two in a row stand for
/// one, as in PowerShell.
fn quoted(
    text: &str,
    offset: usize,
    opening: char,
    is_quote: fn(char) -> bool,
) -> Result<(Kind<'static>, usize), FilterError> {
    let start = offset + opening.len_utf8();
    let mut value = String::new();
    let mut rest = text[start..].char_indices().peekable();
    while let Some((at, c)) = rest.next() {
        if is_quote(c) {
            if rest.next_if(|(_, next)| is_quote(*next)).is_some() {
                value.push(c);
                continue;
            }
            return Ok((Kind::Quoted(value), start + at + c.len_utf8()));
        }
        value.push(c);
    }
    Err(error(
        offset,
        "unterminated string",
        format!("close it with {opening}; write {opening}{opening} for a {opening} inside it"),
    ))
}

fn constant(text: &str, offset: usize, end: usize) -> Result<Kind<'static>, FilterError> {
    let name = &text[offset + 1..end];
    let value = if name.eq_ignore_ascii_case("true") {
        Value::Bool(true)
    } else if name.eq_ignore_ascii_case("false") {
        Value::Bool(false)
    } else if name.eq_ignore_ascii_case("null") {
        Value::Null
    } else {
        return Err(error(
            offset,
            format!("variable `${}` is not supported", Echo(name)),
            "write the value itself, in quotes ('value'), or $true, $false or $null",
        ));
    };
    Ok(Kind::Constant(value))
}

fn operator(text: &str, offset: usize, end: usize) -> Result<Operator, FilterError> {
    let name = &text[offset + 1..end];
    let operator = match name.to_ascii_lowercase().as_str() {
        "eq" => Operator::Compare(CompareOp::Eq),
        "ne" => Operator::Compare(CompareOp::Ne),
        "like" => Operator::Compare(CompareOp::Like),
        "notlike" => Operator::Compare(CompareOp::NotLike),
        "and" => Operator::And,
        "or" => Operator::Or,
        "not" => Operator::Not,
        "" => {
            return Err(error(
                offset,
                "a lone `-` is not an operator",
                format!("supported: {SUPPORTED_LIST}"),
            ))
        }
        lowered if UNSUPPORTED.contains(&lowered) => {
            return Err(error(
                offset,
                format!(
                    "`-{}` is not supported by auditform's OPATH subset",
                    Echo(name)
                ),
                unsupported_hint(lowered),
            ))
        }
        _ => {
            let hint = match closest(name, SUPPORTED) {
                Some(near) => format!("did you mean `-{near}`? supported: {SUPPORTED_LIST}"),
                None => format!("supported: {SUPPORTED_LIST}"),
            };
            return Err(error(
                offset,
                format!("unknown operator `-{}`", Echo(name)),
                hint,
            ));
        }
    };
    Ok(operator)
}

fn unsupported_hint(lowered: &str) -> String {
    let plain = lowered
        .strip_prefix('i')
        .or_else(|| lowered.strip_prefix('c'))
        .filter(|plain| SUPPORTED.contains(plain));
    if let Some(plain) = plain {
        return format!("write `-{plain}`: auditform always compares text case-insensitively");
    }
    let instead = match lowered {
        "match" | "notmatch" | "cmatch" | "imatch" => "write -like or -notlike with * wildcards; ",
        "contains" | "notcontains" | "in" | "notin" => {
            "-eq already matches a multi-valued property when any element equals the value; "
        }
        _ => "",
    };
    format!("{instead}supported: {SUPPORTED_LIST}")
}
