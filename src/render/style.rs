//! Colour shared by the text renderers. Whether colour is wanted is the caller's decision
//! (NO_COLOR, `--no-color`, a terminal); a palette only honours it.

use anstyle::{AnsiColor, Style};
use std::fmt;

/// The roles text takes in a plan, each with its terraform colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `~`: a value changes.
    Update,
    /// `+`: an action starts being audited.
    Add,
    /// `-`: an action stops being audited.
    Remove,
    /// Section headers and the summary line.
    Header,
    /// Anything that weakens auditing: auditform's "destroy".
    Weakening,
    /// Warnings about the plan that are not changes.
    Warning,
    /// Comments and context a reviewer may skim.
    Quiet,
}

impl Role {
    fn style(self) -> Style {
        match self {
            Role::Update => AnsiColor::Yellow.on_default(),
            Role::Add => AnsiColor::Green.on_default(),
            Role::Remove => AnsiColor::Red.on_default(),
            Role::Header => Style::new().bold(),
            Role::Weakening => AnsiColor::Red.on_default().bold(),
            Role::Warning => AnsiColor::Yellow.on_default().bold(),
            Role::Quiet => Style::new().dimmed(),
        }
    }
}

/// Paints text in a role's style, or leaves it plain when colour is off.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    color: bool,
}

impl Palette {
    pub fn new(color: bool) -> Self {
        Palette { color }
    }

    pub fn paint<T: fmt::Display>(self, role: Role, text: T) -> Painted<T> {
        Painted {
            style: if self.color {
                role.style()
            } else {
                Style::new()
            },
            text,
        }
    }
}

/// Text with the escape codes of its style around it (none for a plain style).
pub struct Painted<T> {
    style: Style,
    text: T,
}

impl<T: fmt::Display> fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.style.render(),
            self.text,
            self.style.render_reset()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_style_writes_no_escape_codes() {
        let palette = Palette::new(false);
        assert_eq!(palette.paint(Role::Weakening, "x").to_string(), "x");
    }

    #[test]
    fn colour_wraps_text_in_escape_codes_and_resets_after_it() {
        let painted = Palette::new(true).paint(Role::Add, "+").to_string();
        assert_eq!(painted, "\u{1b}[32m+\u{1b}[0m");
    }
}
