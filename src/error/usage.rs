//! Usage errors, which the argument parser writes itself: it quotes the arguments it refuses
//! as they are (or nearly: it drops some control characters), so one holding a line break would
//! start a line of its own, and in a CI log a workflow command. The message is therefore the
//! parser's answer to the arguments made [`Inert`]; any argument still quoted as it was is
//! written inert, and every line of the result is inert.

use crate::cli::Cli;
use crate::inert::{inert, is_inert, Inert};
use clap::Parser;

/// The text of the usage error `error`, which parsing `args` gave, ready for stderr.
pub fn usage_error(error: &clap::Error, args: &[String]) -> String {
    let inert_args: Vec<String> = args.iter().map(|arg| inert(arg).into_owned()).collect();
    let rendered = if inert_args == args {
        error.render().to_string()
    } else {
        match Cli::try_parse_from(&inert_args) {
            Err(again) if again.use_stderr() => again.render().to_string(),
            _ => error.render().to_string(),
        }
    };
    let message = inert_quoted_arguments(&rendered, args);
    let mut lines: Vec<String> = message
        .split('\n')
        .map(|line| Inert(line).to_string())
        .collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// `message` with every argument of `args` (and the value of an `--option=value`) that needs
/// escaping written inert where it is quoted.
fn inert_quoted_arguments(message: &str, args: &[String]) -> String {
    let mut quoted: Vec<&str> = Vec::new();
    for arg in args {
        quoted.push(arg);
        if let Some((_, value)) = arg.split_once('=') {
            quoted.push(value);
        }
    }
    quoted.retain(|text| !is_inert(text));
    // Longest first: an inert text holds no piece that needs escaping, so what one replacement
    // wrote is never matched again.
    quoted.sort_by_key(|text| std::cmp::Reverse(text.len()));
    let mut message = message.to_string();
    for text in quoted {
        message = message.replace(text, &Inert(text).to_string());
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        let error = Cli::try_parse_from(&args).expect_err("a usage error");
        usage_error(&error, &args)
    }

    #[test]
    fn a_quoted_argument_is_written_inert_and_the_rest_as_the_parser_wrote_it() {
        let message = refusal(&["auditform", "plan", "--format=x\n::error::y\u{b}z"]);
        assert!(
            message.starts_with(
                "error: invalid value 'x\\n:\\u{3a}error:\\u{3a}y\\u{b}z' for '--format <FORMAT>'\n"
            ),
            "{message}"
        );
        assert!(
            message.ends_with("For more information, try '--help'.\n"),
            "{message}"
        );
    }

    #[test]
    fn an_ordinary_usage_error_is_the_parsers_own_text() {
        let args = [
            "auditform".to_string(),
            "plan".to_string(),
            "--formt".to_string(),
        ];
        let error = Cli::try_parse_from(&args).expect_err("a usage error");
        assert_eq!(usage_error(&error, &args), error.render().to_string());
    }
}
