//! The parse tree: nodes with the byte offsets they start at, printed back the way Go prints them
//! in execution errors (`executing "t" at <.Labels.x>`).

use std::fmt;
use std::sync::Arc;

/// A byte offset into the text the tree was parsed from.
pub type Pos = usize;

/// One parsed template: the body of `{{ define "name" }}`, of a `{{ block }}`, or of the text a
/// [`crate::Template`] parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub name: String,
    /// The name of the template whose text held this tree; error messages locate positions in it.
    pub parse_name: String,
    /// The whole text parsed, which positions index.
    pub text: Arc<str>,
    pub root: Vec<Node>,
}

impl Tree {
    /// Whether the tree holds nothing but white space, in which case a later empty definition of
    /// the same name does not replace it (Go's rule, which lets a file define templates around
    /// blank lines without clobbering the main template).
    pub fn is_empty(&self) -> bool {
        self.root.iter().all(|node| matches!(node, Node::Text { text, .. } if text.trim().is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text {
        pos: Pos,
        text: String,
    },
    /// `{{ pipeline }}`: prints the value unless the pipeline declares variables.
    Action {
        pos: Pos,
        pipe: Pipeline,
    },
    If(Branch),
    With(Branch),
    Range(Branch),
    /// `{{ template "name" pipeline }}`, and what `{{ block }}` leaves in place.
    Template {
        pos: Pos,
        name: String,
        pipe: Option<Pipeline>,
    },
    Break {
        pos: Pos,
    },
    Continue {
        pos: Pos,
    },
}

/// The shared shape of `if`, `with` and `range`.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub pos: Pos,
    pub pipe: Pipeline,
    pub list: Vec<Node>,
    /// `{{ else }}` … ; `{{ else if }}` and `{{ else with }}` hold a single nested node.
    pub else_list: Option<Vec<Node>>,
}

/// `$x := cmd | cmd …`
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub pos: Pos,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared or assigned variables, with their `$`.
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

/// A number literal: Go's `int` when written as an integer, else `float64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

/// A function, method or value and its arguments: one stage of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub pos: Pos,
    pub args: Vec<Operand>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Bool {
        pos: Pos,
        value: bool,
    },
    Number {
        pos: Pos,
        value: Number,
        text: String,
    },
    /// `text` is the literal as written, quotes included.
    String {
        pos: Pos,
        value: String,
        text: String,
    },
    Nil {
        pos: Pos,
    },
    Dot {
        pos: Pos,
    },
    /// `.A.B`
    Field {
        pos: Pos,
        names: Vec<String>,
    },
    /// `$x.A.B`; `name` keeps its `$`.
    Variable {
        pos: Pos,
        name: String,
        fields: Vec<String>,
    },
    /// A function name.
    Function {
        pos: Pos,
        name: String,
    },
    /// `( pipeline )`
    Pipeline(Box<Pipeline>),
    /// `( pipeline ).A.B`
    Chain {
        pos: Pos,
        operand: Box<Operand>,
        fields: Vec<String>,
    },
}

impl Operand {
    pub fn pos(&self) -> Pos {
        match self {
            Operand::Bool { pos, .. }
            | Operand::Number { pos, .. }
            | Operand::String { pos, .. }
            | Operand::Nil { pos }
            | Operand::Dot { pos }
            | Operand::Field { pos, .. }
            | Operand::Variable { pos, .. }
            | Operand::Function { pos, .. }
            | Operand::Chain { pos, .. } => *pos,
            Operand::Pipeline(pipe) => pipe.pos,
        }
    }
}

fn write_fields(f: &mut fmt::Formatter<'_>, fields: &[String]) -> fmt::Result {
    fields.iter().try_for_each(|field| write!(f, ".{field}"))
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Bool { value, .. } => write!(f, "{value}"),
            Operand::Number { text, .. } | Operand::String { text, .. } => f.write_str(text),
            Operand::Nil { .. } => f.write_str("nil"),
            Operand::Dot { .. } => f.write_str("."),
            Operand::Field { names, .. } => write_fields(f, names),
            Operand::Variable { name, fields, .. } => {
                f.write_str(name)?;
                write_fields(f, fields)
            }
            Operand::Function { name, .. } => f.write_str(name),
            Operand::Pipeline(pipe) => write!(f, "({pipe})"),
            Operand::Chain { operand, fields, .. } => {
                match operand.as_ref() {
                    Operand::Pipeline(pipe) => write!(f, "({pipe})")?,
                    other => write!(f, "{other}")?,
                }
                write_fields(f, fields)
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{arg}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{} {} ", self.decl.join(", "), if self.is_assign { "=" } else { ":=" })?;
        }
        for (i, cmd) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{cmd}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Template;

    /// Parses actions and prints the last one's pipeline back.
    fn check(action: &str, expected: &str) {
        let template = Template::new("t").parse(action).unwrap();
        let tree = template.tree("t").unwrap();
        let Some(super::Node::Action { pipe, .. }) = tree.root.last() else { panic!("{action}: {:?}", tree.root) };
        assert_eq!(pipe.to_string(), expected, "{action}");
    }

    #[test]
    fn pipelines_print_back() {
        check("{{.A.b}}", ".A.b");
        check("{{ $x := len . }}", "$x := len .");
        check("{{ $x := 1 }}{{ $x = 2 }}", "$x = 2");
        check("{{ printf  \"%d\"   1 |  print }}", "printf \"%d\" 1 | print");
        check("{{ (len `ab`).x }}", "(len `ab`).x");
        check("{{ (1) }}", "(1)");
        check("{{ nil | not }}", "nil | not");
        check("{{ true }}", "true");
    }
}
