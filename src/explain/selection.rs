//! Why a selector did or did not select a mailbox: each condition with what it was tested
//! against, the OPATH filter's clauses with the values they read, and the `exclude`. Built
//! from the selector's own events ([`SelectTrace`], [`FilterTrace`]) as it decides.

use crate::catalog::LicenceTier;
use crate::model::{PropertyValue, RecipientType};
use crate::policy::opath::{Expr, FilterTrace};
use crate::policy::select::{Condition, SelectTrace};

/// The conditions of one selector, as tested.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SelectorTrace {
    /// Every condition the selector gives, in the order they are tested. Empty for a selector
    /// that gives none (and so selects every mailbox).
    pub conditions: Vec<ConditionTrace>,
    /// The `exclude`, when the selector has one and its conditions held.
    pub exclude: Option<Box<ExcludeTrace>>,
}

impl SelectorTrace {
    /// Whether every condition held.
    pub fn conditions_held(&self) -> bool {
        self.conditions.iter().all(ConditionTrace::held)
    }

    /// Whether the exclude removed the mailbox.
    pub fn excluded(&self) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|exclude| exclude.excluded)
    }
}

/// A selector's `exclude`, as tested.
#[derive(Clone, Debug, PartialEq)]
pub struct ExcludeTrace {
    pub selector: SelectorTrace,
    pub excluded: bool,
}

/// One condition, what it wanted, what the mailbox has, and whether it held.
#[derive(Clone, Debug, PartialEq)]
pub enum ConditionTrace {
    Licence {
        wanted: LicenceTier,
        actual: Option<LicenceTier>,
        held: bool,
    },
    RecipientType {
        wanted: Vec<RecipientType>,
        actual: Option<RecipientType>,
        held: bool,
    },
    /// `matched`: the selector's identity, and the mailbox's name that answered to it.
    Identities {
        wanted: Vec<String>,
        matched: Option<(String, String)>,
    },
    /// `matched`: the address, and the patterns that match it.
    Match {
        patterns: Vec<String>,
        matched: Option<(String, Vec<String>)>,
    },
    Filter {
        /// The filter's canonical text.
        source: String,
        clauses: FilterNode,
    },
}

impl ConditionTrace {
    pub fn held(&self) -> bool {
        match self {
            ConditionTrace::Licence { held, .. } | ConditionTrace::RecipientType { held, .. } => {
                *held
            }
            ConditionTrace::Identities { matched, .. } => matched.is_some(),
            ConditionTrace::Match { matched, .. } => matched.is_some(),
            ConditionTrace::Filter { clauses, .. } => clauses.held(),
        }
    }

    /// The policy key the condition was written under.
    pub fn key(&self) -> &'static str {
        match self {
            ConditionTrace::Licence { .. } => "licence",
            ConditionTrace::RecipientType { .. } => "recipientTypeDetails",
            ConditionTrace::Identities { .. } => "identities",
            ConditionTrace::Match { .. } => "match",
            ConditionTrace::Filter { .. } => "filter",
        }
    }
}

/// A filter expression, evaluated: each comparison with the value its property read.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterNode {
    Clause {
        /// The comparison as text, such as `Department -eq 'Finance'`.
        text: String,
        property: String,
        /// What the property read (`$null` when the mailbox lacks it).
        actual: PropertyValue,
        held: bool,
    },
    Not {
        inner: Box<FilterNode>,
        held: bool,
    },
    And {
        operands: Vec<FilterNode>,
        held: bool,
    },
    Or {
        operands: Vec<FilterNode>,
        held: bool,
    },
}

impl FilterNode {
    pub fn held(&self) -> bool {
        match self {
            FilterNode::Clause { held, .. }
            | FilterNode::Not { held, .. }
            | FilterNode::And { held, .. }
            | FilterNode::Or { held, .. } => *held,
        }
    }
}

/// Builds a [`SelectorTrace`] from a selector's events.
#[derive(Debug, Default)]
pub(super) struct SelectionBuilder {
    /// The selector being tested, then the excludes it is inside of.
    selectors: Vec<SelectorTrace>,
    /// The filter nodes entered and not yet left, with their operands so far.
    open: Vec<(OpenNode, Vec<FilterNode>)>,
    /// The filter last evaluated, waiting for its condition event.
    filter: Option<FilterNode>,
}

#[derive(Debug)]
enum OpenNode {
    Not,
    And,
    Or,
}

impl SelectionBuilder {
    /// A new selector's events follow.
    pub(super) fn start(&mut self) {
        self.selectors.clear();
        self.selectors.push(SelectorTrace::default());
        self.open.clear();
        self.filter = None;
    }

    /// The trace of the selector whose events were received.
    pub(super) fn finish(&mut self) -> SelectorTrace {
        self.selectors.drain(..).next().unwrap_or_default()
    }

    fn add_filter_node(&mut self, node: FilterNode) {
        match self.open.last_mut() {
            Some((_, operands)) => operands.push(node),
            None => self.filter = Some(node),
        }
    }

    fn current(&mut self) -> &mut SelectorTrace {
        if self.selectors.is_empty() {
            self.selectors.push(SelectorTrace::default());
        }
        let last = self.selectors.len() - 1;
        &mut self.selectors[last]
    }
}

impl FilterTrace for SelectionBuilder {
    const EVERY_CLAUSE: bool = true;

    fn clause(&mut self, clause: &Expr, actual: &PropertyValue, held: bool) {
        let property = match clause {
            Expr::Compare { property, .. } => property.clone(),
            _ => String::new(),
        };
        self.add_filter_node(FilterNode::Clause {
            text: clause.to_string(),
            property,
            actual: actual.clone(),
            held,
        });
    }

    fn enter(&mut self, node: &Expr) {
        let kind = match node {
            Expr::Not(_) => OpenNode::Not,
            Expr::Or(_) => OpenNode::Or,
            Expr::And(_) | Expr::Compare { .. } => OpenNode::And,
        };
        self.open.push((kind, Vec::new()));
    }

    fn leave(&mut self, held: bool) {
        let Some((kind, mut operands)) = self.open.pop() else {
            return;
        };
        let node = match kind {
            OpenNode::Not => match operands.pop() {
                Some(inner) => FilterNode::Not {
                    inner: Box::new(inner),
                    held,
                },
                None => return,
            },
            OpenNode::And => FilterNode::And { operands, held },
            OpenNode::Or => FilterNode::Or { operands, held },
        };
        self.add_filter_node(node);
    }
}

impl SelectTrace for SelectionBuilder {
    const EVERY_CONDITION: bool = true;

    fn condition(&mut self, condition: Condition<'_>, held: bool) {
        let traced = match condition {
            Condition::Licence { wanted, actual } => ConditionTrace::Licence {
                wanted,
                actual,
                held,
            },
            Condition::RecipientType { wanted, actual } => ConditionTrace::RecipientType {
                wanted: wanted.to_vec(),
                actual: actual.cloned(),
                held,
            },
            Condition::Identities { wanted, matched } => ConditionTrace::Identities {
                wanted: wanted.to_vec(),
                matched: matched.map(|(wanted, name)| (wanted.to_string(), name.to_string())),
            },
            Condition::Match { globs, matched } => ConditionTrace::Match {
                patterns: globs.patterns.clone(),
                matched: matched.map(|address| {
                    let patterns = globs
                        .patterns_matching(address)
                        .into_iter()
                        .map(String::from)
                        .collect();
                    (address.to_string(), patterns)
                }),
            },
            Condition::Filter { filter } => {
                let clauses = self.filter.take().unwrap_or(FilterNode::And {
                    operands: Vec::new(),
                    held,
                });
                ConditionTrace::Filter {
                    source: filter.source(),
                    clauses,
                }
            }
        };
        self.current().conditions.push(traced);
    }

    fn enter_exclude(&mut self) {
        self.selectors.push(SelectorTrace::default());
    }

    fn leave_exclude(&mut self, excluded: bool) {
        if self.selectors.len() < 2 {
            return;
        }
        let selector = self.selectors.pop().unwrap_or_default();
        self.current().exclude = Some(Box::new(ExcludeTrace { selector, excluded }));
    }
}
