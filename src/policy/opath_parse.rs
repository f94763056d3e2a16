//! Text to [`Expr`]: a lexer that knows PowerShell's operator spellings (so that it can name the
//! unsupported ones) and a recursive-descent parser with OPATH's precedence.

use super::{is_double_quote, is_single_quote, CompareOp, Expr, FilterError, Value};
use crate::catalog::closest;

const SUPPORTED: [&str; 7] = ["eq", "ne", "like", "notlike", "and", "or", "not"];
const COMPARISONS: [&str; 4] = ["eq", "ne", "like", "notlike"];
const SUPPORTED_LIST: &str = "-eq -ne -like -notlike -and -or -not ( )";

/// PowerShell operators that OPATH or PowerShell know but auditform's subset does not.
const UNSUPPORTED: [&str; 30] = [
    "gt",
    "ge",
    "lt",
    "le",
    "match",
    "notmatch",
    "contains",
    "notcontains",
    "in",
    "notin",
    "xor",
    "band",
    "bor",
    "bnot",
    "is",
    "isnot",
    "as",
    "replace",
    "split",
    "join",
    "ceq",
    "cne",
    "clike",
    "cnotlike",
    "cmatch",
    "ieq",
    "ine",
    "ilike",
    "inotlike",
    "imatch",
];

/// Deeper nesting than any real filter has; the limit keeps recursion off the end of the stack.
const MAX_DEPTH: usize = 64;

const CONDITION_SHAPE: &str = "a condition looks like `Property -eq 'value'`";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Operator {
    Compare(CompareOp),
    And,
    Or,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind<'a> {
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
struct Token<'a> {
    kind: Kind<'a>,
    offset: usize,
    len: usize,
}

fn error(offset: usize, message: impl Into<String>, hint: impl Into<String>) -> FilterError {
    FilterError {
        offset,
        message: message.into(),
        hint: Some(hint.into()),
    }
}

pub(super) fn parse(text: &str) -> Result<Expr, FilterError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        text,
        tokens,
        position: 0,
        depth: 0,
    };
    parser.filter()
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

fn lex(text: &str) -> Result<Vec<Token<'_>>, FilterError> {
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
            format!("`{word}` is not a number"),
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
            format!("variable `${name}` is not supported"),
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
                format!("`-{name}` is not supported by auditform's OPATH subset"),
                unsupported_hint(lowered),
            ))
        }
        _ => {
            let hint = match closest(name, SUPPORTED) {
                Some(near) => format!("did you mean `-{near}`? supported: {SUPPORTED_LIST}"),
                None => format!("supported: {SUPPORTED_LIST}"),
            };
            return Err(error(offset, format!("unknown operator `-{name}`"), hint));
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

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token<'a>>,
    position: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.position)
    }

    fn advance(&mut self) -> Option<Token<'a>> {
        let token = self.tokens.get(self.position).cloned();
        self.position += usize::from(token.is_some());
        token
    }

    fn source(&self, token: &Token<'_>) -> &'a str {
        let text: &'a str = self.text;
        &text[token.offset..token.offset + token.len]
    }

    /// Where the next token starts, or the end of the text.
    fn here(&self) -> usize {
        self.peek().map_or(self.text.len(), |token| token.offset)
    }

    fn filter(&mut self) -> Result<Expr, FilterError> {
        let Some(first) = self.peek().cloned() else {
            return Err(error(0, "the filter is empty", CONDITION_SHAPE));
        };
        let wrapped = first.kind == Kind::BraceOpen;
        if wrapped {
            self.advance();
            if matches!(self.peek().map(|t| &t.kind), Some(Kind::BraceClose) | None) {
                return Err(error(self.here(), "the filter is empty", CONDITION_SHAPE));
            }
        }
        let expr = self.or()?;
        if wrapped {
            match self.advance() {
                Some(Token {
                    kind: Kind::BraceClose,
                    ..
                }) => {}
                Some(token) => return Err(self.trailing(&token)),
                None => {
                    return Err(error(
                        first.offset,
                        "unclosed `{`",
                        "add `}` at the end of the filter",
                    ))
                }
            }
        }
        match self.advance() {
            None => Ok(expr),
            Some(token) => Err(self.trailing(&token)),
        }
    }

    fn trailing(&self, token: &Token<'_>) -> FilterError {
        match token.kind {
            Kind::Close => error(
                token.offset,
                "unmatched `)`",
                "remove it, or add the `(` it closes",
            ),
            _ => error(
                token.offset,
                format!(
                    "unexpected `{}` after a complete condition",
                    self.source(token)
                ),
                "join conditions with -and or -or",
            ),
        }
    }

    fn descend(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(
                self.here(),
                format!("the filter nests deeper than {MAX_DEPTH} levels"),
                "split it into simpler conditions",
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        self.chain(Operator::Or, Self::and, Expr::Or)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        self.chain(Operator::And, Self::unary, Expr::And)
    }

    /// One or more operands joined by `joiner`; a single operand stands alone.
    fn chain(
        &mut self,
        joiner: Operator,
        operand: fn(&mut Self) -> Result<Expr, FilterError>,
        build: fn(Vec<Expr>) -> Expr,
    ) -> Result<Expr, FilterError> {
        let mut operands = vec![operand(self)?];
        while self.peek().map(|t| &t.kind) == Some(&Kind::Operator(joiner)) {
            self.advance();
            operands.push(operand(self)?);
        }
        Ok(match operands.len() {
            1 => operands.remove(0),
            _ => build(operands),
        })
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if self.peek().map(|t| &t.kind) == Some(&Kind::Operator(Operator::Not)) {
            self.advance();
            self.descend()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        let Some(token) = self.advance() else {
            return Err(error(
                self.text.len(),
                "expected a condition at the end of the filter",
                CONDITION_SHAPE,
            ));
        };
        match &token.kind {
            Kind::Open => {
                self.descend()?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.advance() {
                    Some(Token {
                        kind: Kind::Close, ..
                    }) => Ok(inner),
                    Some(other) => Err(self.trailing(&other)),
                    None => Err(error(
                        token.offset,
                        "unclosed `(`",
                        "add the `)` that closes it",
                    )),
                }
            }
            Kind::Word(property) => self.comparison(property, &token),
            Kind::Operator(Operator::Compare(op)) => Err(error(
                token.offset,
                format!("`{}` has no property before it", op.name()),
                CONDITION_SHAPE,
            )),
            Kind::Quoted(_) | Kind::Number(_) | Kind::Constant(_) => Err(error(
                token.offset,
                format!("expected a property name, found `{}`", self.source(&token)),
                format!("the property comes first: {CONDITION_SHAPE}"),
            )),
            _ => Err(error(
                token.offset,
                format!("expected a condition, found `{}`", self.source(&token)),
                CONDITION_SHAPE,
            )),
        }
    }

    fn comparison(&mut self, property: &str, token: &Token<'_>) -> Result<Expr, FilterError> {
        let valid_start = property
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !valid_start
            || !property
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(error(
                token.offset,
                format!("`{property}` is not a property name"),
                "property names are Get-Mailbox names, like RecipientTypeDetails or CustomAttribute1",
            ));
        }
        let op = match self.peek().map(|t| (&t.kind, t.offset)) {
            Some((Kind::Operator(Operator::Compare(op)), _)) => *op,
            found => {
                let offset = found.map_or(self.text.len(), |(_, offset)| offset);
                let hint = match found {
                    Some((Kind::Word(word), _))
                        if COMPARISONS.contains(&&*word.to_ascii_lowercase()) =>
                    {
                        format!("did you mean `-{}`?", word.to_ascii_lowercase())
                    }
                    _ => "compare it with -eq, -ne, -like or -notlike".to_string(),
                };
                return Err(error(
                    offset,
                    format!("expected an operator after `{property}`"),
                    hint,
                ));
            }
        };
        self.advance();
        let value = match self.peek().map(|t| &t.kind) {
            Some(Kind::Quoted(text)) => Value::Text(text.clone()),
            Some(Kind::Word(word)) => Value::Text(word.to_string()),
            Some(Kind::Number(number)) => Value::Number(*number),
            Some(Kind::Constant(value)) => value.clone(),
            _ => {
                return Err(error(
                    self.here(),
                    format!("expected a value after `{}`", op.name()),
                    "quote text ('value'), or write $true, $false, $null or a number",
                ))
            }
        };
        self.advance();
        Ok(Expr::Compare {
            property: property.to_string(),
            op,
            value,
        })
    }
}
