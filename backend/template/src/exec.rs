//! The executor: walks a parsed tree over a [`Value`] with Go's semantics for dot, variables,
//! pipelines, fields and methods, `if`/`with`/`range`/`template`, and reports failures as
//! [`ExecError`]s that name the template, the place and the action.

use std::fmt::Display;
use std::mem;

use crate::ast::{Branch, Command, Node, Number, Operand, Pipeline, Pos, Tree};
use crate::error::{ExecError, ExecErrorKind, Location};
use crate::funcs::{Host, Kind};
use crate::{Template, Value};

/// How deeply templates may invoke templates, and blocks nest, while executing. Only a template
/// that calls itself without end gets near it; the limit stops it before the stack runs out.
const MAX_DEPTH: usize = 100;

/// How many template invocations and range iterations one execution may make. Depth alone does
/// not bound the work: a template that invokes itself twice doubles it at every level.
const MAX_STEPS: usize = 1_000_000;

type Result<T> = std::result::Result<T, ExecError>;

/// Runs `tree` of `template` with dot and `$` set to `data`, and the given variables declared.
pub(crate) fn execute(
    template: &Template,
    tree: &Tree,
    data: &Value,
    vars: Vec<(String, Value)>,
    host: Option<Host<'_>>,
) -> Result<String> {
    let mut state = State { template, tree, out: String::new(), vars, depth: 0, steps: 0, host };
    state.vars.insert(0, ("$".to_string(), data.clone()));
    state.walk_list(data, &tree.root)?;
    Ok(state.out)
}

/// What a walk leaves for the enclosing `range` to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

struct State<'t> {
    template: &'t Template,
    /// The caller's functions for this execution.
    host: Option<Host<'t>>,
    /// The tree being executed, for the positions in errors.
    tree: &'t Tree,
    out: String,
    /// Variables in scope, innermost last.
    vars: Vec<(String, Value)>,
    depth: usize,
    steps: usize,
}

impl<'t> State<'t> {
    fn error(&self, pos: Pos, context: &dyn Display, kind: ExecErrorKind) -> ExecError {
        ExecError::new(
            self.tree.name.clone(),
            Some((self.tree.parse_name.clone(), Location::of(&self.tree.text, pos))),
            context.to_string(),
            kind,
        )
    }

    fn enter(&mut self, pos: Pos, context: &dyn Display) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(pos, context, ExecErrorKind::TooDeep(MAX_DEPTH)));
        }
        self.depth += 1;
        Ok(())
    }

    fn step(&mut self, pos: Pos, context: &dyn Display) -> Result<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(self.error(pos, context, ExecErrorKind::TooManySteps(MAX_STEPS)));
        }
        Ok(())
    }

    fn var(&self, name: &str) -> Value {
        // The parser has checked that the variable is declared.
        self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn set_var(&mut self, name: &str, value: Value) {
        if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            slot.1 = value;
        }
    }

    fn walk_list(&mut self, dot: &Value, nodes: &'t [Node]) -> Result<Flow> {
        for node in nodes {
            let flow = self.walk(dot, node)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &'t Node) -> Result<Flow> {
        match node {
            Node::Text { text, .. } => self.out.push_str(text),
            Node::Action { pipe, .. } => {
                let value = self.pipeline(dot, pipe)?;
                // An action that declares variables prints nothing.
                if pipe.decl.is_empty() {
                    match value {
                        Value::Nil => self.out.push_str("<no value>"),
                        value => self.out.push_str(&value.to_string()),
                    }
                }
            }
            Node::If(branch) => return self.if_or_with(dot, branch, false),
            Node::With(branch) => return self.if_or_with(dot, branch, true),
            Node::Range(branch) => return self.range(dot, branch),
            Node::Template { pos, name, pipe } => self.template_call(dot, *pos, name, pipe.as_ref())?,
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    /// `if` and `with`, which differ only in that `with` sets dot to the pipeline's value.
    fn if_or_with(&mut self, dot: &Value, branch: &'t Branch, with: bool) -> Result<Flow> {
        self.enter(branch.pos, &branch.pipe)?;
        let mark = self.vars.len();
        let value = self.pipeline(dot, &branch.pipe)?;
        let flow = if value.truth() {
            self.walk_list(if with { &value } else { dot }, &branch.list)?
        } else if let Some(else_list) = &branch.else_list {
            self.walk_list(dot, else_list)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        self.depth -= 1;
        Ok(flow)
    }

    fn range(&mut self, dot: &Value, branch: &'t Branch) -> Result<Flow> {
        self.enter(branch.pos, &branch.pipe)?;
        let mark = self.vars.len();
        let value = self.commands(dot, &branch.pipe)?;
        let items: Vec<(Value, Value)> = match value.plain() {
            Value::List(items) => items.iter().enumerate().map(|(i, item)| (i.into(), item.clone())).collect(),
            // Maps range in key order, as Go's do.
            Value::Map(entries) => entries.iter().map(|(k, v)| (k.as_str().into(), v.clone())).collect(),
            Value::Nil => Vec::new(),
            other => {
                let shown = other.to_string();
                return Err(self.error(branch.pipe.pos, &branch.pipe, ExecErrorKind::NotIterable(shown)));
            }
        };
        if !branch.pipe.is_assign {
            self.vars.extend(branch.pipe.decl.iter().map(|name| (name.clone(), Value::Nil)));
        }
        let body = self.vars.len();
        if items.is_empty()
            && let Some(else_list) = &branch.else_list
        {
            self.walk_list(dot, else_list)?;
        }
        for (key, item) in items {
            self.step(branch.pos, &branch.pipe)?;
            // One variable takes the element; two take the key (or index) and the element.
            match branch.pipe.decl.as_slice() {
                [element] => self.set_var(element, item.clone()),
                [index, element] => {
                    self.set_var(index, key);
                    self.set_var(element, item.clone());
                }
                _ => {}
            }
            let flow = self.walk_list(&item, &branch.list)?;
            self.vars.truncate(body);
            if flow == Flow::Break {
                break;
            }
        }
        self.vars.truncate(mark);
        self.depth -= 1;
        Ok(Flow::Normal)
    }

    fn template_call(&mut self, dot: &Value, pos: Pos, name: &str, pipe: Option<&'t Pipeline>) -> Result<()> {
        let context = TemplateContext { name, pipe };
        let Some(tree) = self.template.trees.get(name).map(|tree| &**tree) else {
            return Err(self.error(pos, &context, ExecErrorKind::UndefinedTemplate(name.to_string())));
        };
        let value = match pipe {
            Some(pipe) => self.pipeline(dot, pipe)?,
            None => Value::Nil,
        };
        self.enter(pos, &context)?;
        self.step(pos, &context)?;
        // No dynamic scoping: the invoked template sees only its own `$`.
        let vars = mem::replace(&mut self.vars, vec![("$".to_string(), value.clone())]);
        let caller = mem::replace(&mut self.tree, tree);
        self.walk_list(&value, &tree.root)?;
        self.tree = caller;
        self.vars = vars;
        self.depth -= 1;
        Ok(())
    }

    /// A pipeline's value, declaring or assigning its variables.
    fn pipeline(&mut self, dot: &Value, pipe: &'t Pipeline) -> Result<Value> {
        let value = self.commands(dot, pipe)?;
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone());
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    /// A pipeline's value: each command's result becomes the last argument of the next.
    fn commands(&mut self, dot: &Value, pipe: &'t Pipeline) -> Result<Value> {
        let mut value = None;
        for cmd in &pipe.cmds {
            value = Some(self.command(dot, cmd, value)?);
        }
        Ok(value.unwrap_or_default())
    }

    fn command(&mut self, dot: &Value, cmd: &'t Command, last: Option<Value>) -> Result<Value> {
        // The parser never makes an empty command.
        let Some((first, args)) = cmd.args.split_first() else {
            return Ok(Value::Nil);
        };
        match first {
            Operand::Field { names, .. } => self.field_chain(dot, dot.clone(), names, first, args, last),
            Operand::Chain { operand, fields, .. } => {
                let receiver = self.arg(dot, operand)?;
                self.field_chain(dot, receiver, fields, first, args, last)
            }
            Operand::Function { pos, name } => self.call(dot, name, *pos, cmd, args, last),
            Operand::Variable { name, fields, .. } if !fields.is_empty() => {
                let value = self.var(name);
                self.field_chain(dot, value, fields, first, args, last)
            }
            Operand::Nil { pos } => Err(self.error(*pos, first, ExecErrorKind::NilCommand)),
            _ => {
                if !args.is_empty() || last.is_some() {
                    return Err(self.error(first.pos(), first, ExecErrorKind::NotAFunction(first.to_string())));
                }
                self.arg(dot, first)
            }
        }
    }

    /// `.A.B.C arg…`: fields walked in turn, the last one given the arguments.
    fn field_chain(
        &mut self,
        dot: &Value,
        receiver: Value,
        names: &[String],
        node: &Operand,
        args: &'t [Operand],
        last: Option<Value>,
    ) -> Result<Value> {
        let Some((final_name, path)) = names.split_last() else {
            return Ok(receiver);
        };
        let mut receiver = receiver;
        for name in path {
            receiver = self.field(dot, receiver, name, node, &[], None)?;
        }
        self.field(dot, receiver, final_name, node, args, last)
    }

    /// `.Name` of `receiver`: a method, a field, or a map entry. Nil has every field, as nil.
    fn field(
        &mut self,
        dot: &Value,
        receiver: Value,
        name: &str,
        node: &Operand,
        args: &'t [Operand],
        last: Option<Value>,
    ) -> Result<Value> {
        let has_args = !args.is_empty() || last.is_some();
        let no_field = |type_name: String| ExecErrorKind::NoField { name: name.to_string(), type_name };
        match &receiver {
            Value::Nil => Ok(Value::Nil),
            Value::Object(object) => {
                let mut argv = args.iter().map(|arg| self.arg(dot, arg)).collect::<Result<Vec<_>>>()?;
                argv.extend(last);
                match object.method(name, &argv) {
                    Some(Ok(value)) => Ok(value),
                    Some(Err(message)) => {
                        Err(self.error(node.pos(), node, ExecErrorKind::Call { function: name.to_string(), message }))
                    }
                    None => match object.field(name) {
                        Some(_) if has_args => {
                            Err(self.error(node.pos(), node, ExecErrorKind::NotAMethod(name.into())))
                        }
                        Some(value) => Ok(value),
                        None => Err(self.error(node.pos(), node, no_field(object.type_name().into()))),
                    },
                }
            }
            Value::Map(_) if has_args => Err(self.error(node.pos(), node, ExecErrorKind::NotAMethod(name.into()))),
            Value::Map(entries) => Ok(entries.get(name).cloned().unwrap_or_default()),
            other => Err(self.error(node.pos(), node, no_field(other.type_name()))),
        }
    }

    /// A function call; `and` and `or` evaluate their arguments only until the answer is known.
    /// Errors name the call (`context`), or for a wrong count just the function, as Go's do.
    fn call(
        &mut self,
        dot: &Value,
        name: &str,
        pos: Pos,
        context: &dyn Display,
        args: &'t [Operand],
        last: Option<Value>,
    ) -> Result<Value> {
        let count = args.len() + usize::from(last.is_some());
        let Some(function) = self.template.funcs.get(name) else {
            let message = "function not defined".to_string();
            return Err(self.error(pos, context, ExecErrorKind::Call { function: name.into(), message }));
        };
        match &function.0 {
            kind @ (Kind::And | Kind::Or) => {
                if count == 0 {
                    let kind = ExecErrorKind::ArgCount { function: name.into(), want: "at least 1".into(), got: 0 };
                    return Err(self.error(pos, &name, kind));
                }
                let stop_at = matches!(kind, Kind::Or);
                let mut value = Value::Nil;
                for arg in args {
                    value = self.arg(dot, arg)?;
                    if value.truth() == stop_at {
                        return Ok(value);
                    }
                }
                Ok(last.unwrap_or(value))
            }
            Kind::Call { arity, .. } | Kind::Host { arity } => {
                if !arity.accepts(count) {
                    let kind = ExecErrorKind::ArgCount { function: name.into(), want: arity.to_string(), got: count };
                    return Err(self.error(pos, &name, kind));
                }
                let mut argv = args.iter().map(|arg| self.arg(dot, arg)).collect::<Result<Vec<_>>>()?;
                argv.extend(last);
                let result = match (&function.0, self.host) {
                    (Kind::Call { f, .. }, _) => f(&argv),
                    (_, Some(host)) => host(name, &argv),
                    (_, None) => Err("not available here".to_string()),
                };
                result
                    .map_err(|message| self.error(pos, context, ExecErrorKind::Call { function: name.into(), message }))
            }
        }
    }

    /// The value of an operand used as an argument; a function there is called without arguments.
    fn arg(&mut self, dot: &Value, operand: &'t Operand) -> Result<Value> {
        Ok(match operand {
            Operand::Dot { .. } => dot.clone(),
            Operand::Nil { .. } => Value::Nil,
            Operand::Bool { value, .. } => Value::Bool(*value),
            Operand::Number { value: Number::Int(i), .. } => Value::Int(*i),
            Operand::Number { value: Number::Float(f), .. } => Value::Float(*f),
            Operand::String { value, .. } => value.as_str().into(),
            Operand::Field { names, .. } => self.field_chain(dot, dot.clone(), names, operand, &[], None)?,
            Operand::Variable { name, fields, .. } => {
                let value = self.var(name);
                self.field_chain(dot, value, fields, operand, &[], None)?
            }
            Operand::Pipeline(pipe) => self.pipeline(dot, pipe)?,
            Operand::Function { pos, name } => self.call(dot, name, *pos, operand, &[], None)?,
            Operand::Chain { operand: inner, fields, .. } => {
                let value = self.arg(dot, inner)?;
                self.field_chain(dot, value, fields, operand, &[], None)?
            }
        })
    }
}

/// How a `{{ template }}` action shows in errors.
struct TemplateContext<'a> {
    name: &'a str,
    pipe: Option<&'a Pipeline>,
}

impl Display for TemplateContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pipe {
            Some(pipe) => write!(f, "{{{{template {:?} {pipe}}}}}", self.name),
            None => write!(f, "{{{{template {:?}}}}}", self.name),
        }
    }
}
