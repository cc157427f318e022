//! A YAML document as a tree of nodes that remember their line and column, as yaml.v3's
//! `yaml.Node` does, built from yaml-rust2's events: what rule-file validation needs to report
//! positions the way Prometheus does.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub pos: Position,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// `plain` is false for quoted and block scalars, which are always strings.
    Scalar {
        value: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// yaml.v3's tag name for the node, as its type errors print it.
    pub fn tag(&self) -> &'static str {
        match &self.kind {
            Kind::Seq(_) => "!!seq",
            Kind::Map(_) => "!!map",
            Kind::Scalar { .. } if self.is_null() => "!!null",
            Kind::Scalar { value, plain: true } if value.parse::<i64>().is_ok() => "!!int",
            Kind::Scalar { value, plain: true } if value.parse::<f64>().is_ok() => "!!float",
            Kind::Scalar { value, plain: true } if matches!(value.as_str(), "true" | "false") => "!!bool",
            Kind::Scalar { .. } => "!!str",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, plain: true } if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// A syntax error: where and what.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// Parses the first document of `text`; `None` for an empty one.
pub(crate) fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|e| SyntaxError { line: e.marker().line(), message: e.info().to_string() })?;
    Ok(builder.root)
}

struct Frame {
    node: Node,
    anchor: usize,
    key: Option<Node>,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
}

impl Builder {
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root.get_or_insert(node);
            return;
        };
        match &mut frame.node.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(entries) => match frame.key.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    // A block mapping's events are marked after its first key; yaml.v3 places
                    // the mapping at that key.
                    if entries.is_empty() {
                        frame.node.pos = node.pos;
                    }
                    frame.key = Some(node);
                }
            },
            Kind::Scalar { .. } => {}
        }
    }
}

fn position(mark: Marker) -> Position {
    Position { line: mark.line(), col: mark.col() + 1 }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = position(mark);
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let plain = style == TScalarStyle::Plain;
                self.push(Node { pos, kind: Kind::Scalar { value, plain } }, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame { node: Node { pos, kind: Kind::Seq(Vec::new()) }, anchor, key: None });
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame { node: Node { pos, kind: Kind::Map(Vec::new()) }, anchor, key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    self.push(frame.node, frame.anchor);
                }
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .unwrap_or(Node { pos, kind: Kind::Scalar { value: String::new(), plain: true } });
                self.push(node, 0);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_yaml_v3() {
        let root = parse("groups:\n  - name: a\n    rules: []\n").unwrap().unwrap();
        let Kind::Map(entries) = &root.kind else { panic!() };
        let Kind::Seq(groups) = &entries[0].1.kind else { panic!() };
        assert_eq!(groups[0].pos, Position { line: 2, col: 5 });
        assert!(parse("").unwrap().is_none());
        assert_eq!(parse("a: b: c").unwrap_err().line, 1);
    }
}
