//! Tokens to [`Expr`]: recursive descent with OPATH's precedence, `-not` tightest, then `-and`,
//! then `-or`.

use super::lex::{error, lex, Kind, Operator, Token, COMPARISONS};
use super::{Expr, FilterError, Value};
use crate::english::Echo;

/// Deeper nesting than any real filter has; the limit keeps recursion off the end of the stack.
const MAX_DEPTH: usize = 64;

const CONDITION_SHAPE: &str = "a condition looks like `Property -eq 'value'`";

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
                format!(
                    "expected a property name, found `{}`",
                    Echo(self.source(&token))
                ),
                format!("the property comes first: {CONDITION_SHAPE}"),
            )),
            _ => Err(error(
                token.offset,
                format!(
                    "expected a condition, found `{}`",
                    Echo(self.source(&token))
                ),
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
                format!("`{}` is not a property name", Echo(property)),
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
                    format!("expected an operator after `{}`", Echo(property)),
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
