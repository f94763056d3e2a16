//! The OPATH subset of `Get-Mailbox -Filter`: -eq -ne -like -notlike -and -or -not and parentheses.
//!
//! Precedence is OPATH's: `-not` (or `!`) binds tightest, then `-and`, then `-or`. Operators are
//! case-insensitive, and so are text comparisons. An outer `{ ... }` script block is accepted so
//! that a filter copied from `Get-Mailbox -Filter {RecipientTypeDetails -eq "UserMailbox"}` works
//! as it stands.

use crate::model::PropertyValue;
use crate::policy::Untraced;
use std::fmt::{self, Write as _};

/// What a filter reads: an object's properties, by their Get-Mailbox names. Selectors make
/// mailboxes and bypass associations readable (`select::Selectable` builds on this).
pub trait Properties {
    /// `None` when the object lacks the property.
    fn property(&self, name: &str) -> Option<PropertyValue>;
}

/// Watches a filter being evaluated, so that `explain` can show the value of every property
/// the filter read and the truth of every clause. Every method does nothing by default, and the
/// planner evaluates with [`Untraced`], so watching costs the plan nothing.
pub trait FilterTrace {
    /// Whether `-and` and `-or` evaluate every operand instead of stopping at the first that
    /// decides, so that an explanation shows each clause's truth. The result is the same.
    const EVERY_CLAUSE: bool = false;
    /// A comparison was evaluated: what the property read, and whether the comparison held.
    fn clause(&mut self, _clause: &Expr, _actual: &PropertyValue, _held: bool) {}
    /// An `-and`, `-or` or `-not` starts; its operands' events follow, then [`Self::leave`].
    fn enter(&mut self, _node: &Expr) {}
    /// The node last entered evaluated to `held`.
    fn leave(&mut self, _held: bool) {}
}

impl FilterTrace for Untraced {}

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    expr: Expr,
}

/// A filter expression. `And` and `Or` have at least two operands; parentheses are not kept,
/// the tree says what they grouped.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Compare {
        property: String,
        op: CompareOp,
        value: Value,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Like,
    NotLike,
}

impl CompareOp {
    pub fn name(self) -> &'static str {
        match self {
            CompareOp::Eq => "-eq",
            CompareOp::Ne => "-ne",
            CompareOp::Like => "-like",
            CompareOp::NotLike => "-notlike",
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
}

/// Why a filter was refused. `offset` is a byte offset into the filter text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl FilterError {
    /// The error with the filter text and a caret under the offending byte, for a person.
    pub fn explain(&self, text: &str) -> String {
        let column = text
            .get(..self.offset.min(text.len()))
            .map_or(self.offset, |before| before.chars().count());
        let mut out = format!(
            "{} (at byte {})\n  {text}\n  {}^",
            self.message,
            self.offset,
            " ".repeat(column)
        );
        if let Some(hint) = &self.hint {
            out.push_str("\n  hint: ");
            out.push_str(hint);
        }
        out
    }
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        parse::parse(text).map(|expr| Filter { expr })
    }

    pub fn new(expr: Expr) -> Filter {
        Filter { expr }
    }

    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The canonical text of the filter; parsing it gives this filter back.
    pub fn source(&self) -> String {
        self.to_string()
    }

    /// The property names the filter reads, each once (compared case-insensitively), in the
    /// order they first appear.
    pub fn properties(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        self.expr.visit_properties(&mut |name| {
            if !names.iter().any(|seen| seen.eq_ignore_ascii_case(name)) {
                names.push(name);
            }
        });
        names
    }

    /// Whether the target satisfies the filter. A property the target lacks reads as `$null`.
    pub fn matches<T: Properties + ?Sized>(&self, target: &T) -> bool {
        self.matches_traced(target, &mut Untraced)
    }

    /// [`Self::matches`], telling `trace` what each clause read and whether it held.
    pub fn matches_traced<T: Properties + ?Sized>(
        &self,
        target: &T,
        trace: &mut impl FilterTrace,
    ) -> bool {
        self.expr
            .evaluate_traced(&|name| target.property(name), trace)
    }
}

impl Expr {
    fn visit_properties<'a>(&'a self, visit: &mut impl FnMut(&'a str)) {
        match self {
            Expr::Compare { property, .. } => visit(property),
            Expr::Not(inner) => inner.visit_properties(visit),
            Expr::And(operands) | Expr::Or(operands) => {
                for operand in operands {
                    operand.visit_properties(visit);
                }
            }
        }
    }

    pub fn evaluate(&self, lookup: &dyn Fn(&str) -> Option<PropertyValue>) -> bool {
        self.evaluate_traced(lookup, &mut Untraced)
    }

    /// [`Self::evaluate`], telling `trace` about every clause it evaluates.
    pub fn evaluate_traced<T: FilterTrace>(
        &self,
        lookup: &dyn Fn(&str) -> Option<PropertyValue>,
        trace: &mut T,
    ) -> bool {
        match self {
            Expr::Compare {
                property,
                op,
                value,
            } => {
                let actual = lookup(property).unwrap_or(PropertyValue::Null);
                let held = match op {
                    CompareOp::Eq => equals(&actual, value),
                    CompareOp::Ne => !equals(&actual, value),
                    CompareOp::Like => like(&actual, value),
                    CompareOp::NotLike => !like(&actual, value),
                };
                trace.clause(self, &actual, held);
                held
            }
            Expr::Not(inner) => {
                trace.enter(self);
                let held = !inner.evaluate_traced(lookup, trace);
                trace.leave(held);
                held
            }
            Expr::And(operands) => {
                trace.enter(self);
                let mut held = true;
                for operand in operands {
                    if !held && !T::EVERY_CLAUSE {
                        break;
                    }
                    // Evaluated first, so that EVERY_CLAUSE reaches it after a false operand.
                    let operand_held = operand.evaluate_traced(lookup, trace);
                    held &= operand_held;
                }
                trace.leave(held);
                held
            }
            Expr::Or(operands) => {
                trace.enter(self);
                let mut held = false;
                for operand in operands {
                    if held && !T::EVERY_CLAUSE {
                        break;
                    }
                    let operand_held = operand.evaluate_traced(lookup, trace);
                    held |= operand_held;
                }
                trace.leave(held);
                held
            }
        }
    }
}

/// `-eq` as Exchange applies it: a multi-valued property equals X when any element does, and an
/// unset, empty-text or empty-list property equals `$null`.
fn equals(actual: &PropertyValue, expected: &Value) -> bool {
    match actual {
        PropertyValue::Null => matches!(expected, Value::Null),
        PropertyValue::Bool(flag) => match expected {
            Value::Bool(wanted) => flag == wanted,
            Value::Text(text) => eq_ignore_case(text, if *flag { "True" } else { "False" }),
            Value::Null | Value::Number(_) => false,
        },
        PropertyValue::Number(number) => match expected {
            Value::Number(wanted) => number == wanted,
            Value::Text(text) => text.trim().parse::<f64>().is_ok_and(|n| n == *number),
            Value::Null | Value::Bool(_) => false,
        },
        PropertyValue::Text(text) => text_equals(text, expected),
        PropertyValue::List(items) => match expected {
            Value::Null => items.is_empty(),
            _ => items.iter().any(|item| text_equals(item, expected)),
        },
    }
}

fn text_equals(text: &str, expected: &Value) -> bool {
    match expected {
        Value::Null => text.is_empty(),
        Value::Bool(wanted) => eq_ignore_case(text, if *wanted { "True" } else { "False" }),
        Value::Number(wanted) => text.trim().parse::<f64>().is_ok_and(|n| n == *wanted),
        Value::Text(wanted) => eq_ignore_case(text, wanted),
    }
}

/// `-like`: `*` matches any run of characters. `$null` is not text, so it is like nothing.
fn like(actual: &PropertyValue, pattern: &Value) -> bool {
    let pattern = match pattern {
        Value::Text(text) => text.as_str(),
        Value::Bool(true) => "True",
        Value::Bool(false) => "False",
        Value::Number(_) | Value::Null => return equals(actual, pattern),
    };
    match actual {
        PropertyValue::Null => false,
        PropertyValue::Bool(flag) => wildcard_match(pattern, if *flag { "True" } else { "False" }),
        PropertyValue::Number(number) => wildcard_match(pattern, &number.to_string()),
        PropertyValue::Text(text) => wildcard_match(pattern, text),
        PropertyValue::List(items) => items.iter().any(|item| wildcard_match(pattern, item)),
    }
}

/// Case-insensitive equality without allocating; ASCII takes the fast path.
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn chars_eq_ignore_case(a: char, b: char) -> bool {
    a == b
        || a.eq_ignore_ascii_case(&b)
        || ((!a.is_ascii() || !b.is_ascii()) && a.to_lowercase().eq(b.to_lowercase()))
}

/// Matches `text` against a pattern whose only wildcard is `*`, case-insensitively. Greedy with
/// one backtrack point, so it never goes exponential.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut resume: Option<(usize, usize)> = None;
    while let Some(got) = text[t..].chars().next() {
        match pattern[p..].chars().next() {
            Some('*') => {
                p += 1;
                resume = Some((p, t));
            }
            Some(wanted) if chars_eq_ignore_case(wanted, got) => {
                p += wanted.len_utf8();
                t += got.len_utf8();
            }
            _ => match resume {
                Some((star_p, star_t)) => {
                    let skipped = text[star_t..].chars().next().map_or(1, char::len_utf8);
                    p = star_p;
                    t = star_t + skipped;
                    resume = Some((star_p, t));
                }
                None => return false,
            },
        }
    }
    pattern[p..].bytes().all(|byte| byte == b'*')
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare {
                property,
                op,
                value,
            } => write!(f, "{property} {} {value}", op.name()),
            Expr::Not(inner) => match **inner {
                Expr::And(_) | Expr::Or(_) => write!(f, "-not ({inner})"),
                _ => write!(f, "-not {inner}"),
            },
            Expr::And(operands) => join(f, operands, " -and ", |operand| {
                matches!(operand, Expr::And(_) | Expr::Or(_))
            }),
            Expr::Or(operands) => join(f, operands, " -or ", |operand| {
                matches!(operand, Expr::Or(_))
            }),
        }
    }
}

/// Writes operands with a separator, parenthesising those that would otherwise regroup.
fn join(
    f: &mut fmt::Formatter<'_>,
    operands: &[Expr],
    separator: &str,
    needs_parentheses: impl Fn(&Expr) -> bool,
) -> fmt::Result {
    for (index, operand) in operands.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        if needs_parentheses(operand) {
            write!(f, "({operand})")?;
        } else {
            write!(f, "{operand}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("$null"),
            Value::Bool(true) => f.write_str("$true"),
            Value::Bool(false) => f.write_str("$false"),
            Value::Number(number) => write!(f, "{number}"),
            Value::Text(text) => {
                f.write_char('\'')?;
                for c in text.chars() {
                    f.write_char(c)?;
                    if is_single_quote(c) {
                        f.write_char(c)?;
                    }
                }
                f.write_char('\'')
            }
        }
    }
}

/// PowerShell reads the typographic single quotes as `'`, so a filter pasted from a document
/// still parses; the renderer doubles them inside text for the same reason.
pub(crate) fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// PowerShell reads the typographic double quotes as `"`.
pub(crate) fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

mod lex;
mod parse;

#[cfg(test)]
mod tests;
