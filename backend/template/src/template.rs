//! [`Template`]: a named set of parsed templates sharing one function map, Go's
//! `*template.Template`, with the builder that registers functions and the calls that parse and
//! execute.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::ast::Tree;
use crate::funcs::{FuncMap, Function, Host, builtin};
use crate::{Error, ExecError, ExecErrorKind, ParseError, Value, exec, parse};

/// A set of templates: the one named at [`Template::new`] (the text passed to
/// [`Template::parse`]) and every `{{ define }}`d or `{{ block }}` one, which `{{ template }}`
/// reaches by name. Cheap to clone, and `Send + Sync`, so a set parsed at configuration load can
/// serve every notification.
#[derive(Clone)]
pub struct Template {
    name: String,
    pub(crate) funcs: Arc<FuncMap>,
    /// Variables (without `$`) the main text may use undeclared, bound at execution.
    variables: Vec<String>,
    pub(crate) trees: HashMap<String, Arc<Tree>>,
}

impl Template {
    /// An empty set named `name`, with Go's built-in functions.
    pub fn new(name: impl Into<String>) -> Template {
        Template {
            name: name.into(),
            funcs: Arc::new(builtin::functions()),
            variables: Vec::new(),
            trees: HashMap::new(),
        }
    }

    /// Adds functions, replacing any of the same name (built-ins included, as in Go).
    pub fn funcs(mut self, funcs: FuncMap) -> Template {
        Arc::make_mut(&mut self.funcs).extend(funcs);
        self
    }

    /// Adds or replaces one function.
    pub fn func(mut self, name: impl Into<String>, function: Function) -> Template {
        Arc::make_mut(&mut self.funcs).insert(name.into(), function);
        self
    }

    /// Declares variables the main text may use without `:=`, such as Prometheus's `$labels`;
    /// [`Template::execute_with`] gives their values.
    pub fn variables(mut self, names: &[&str]) -> Template {
        self.variables.extend(names.iter().map(|name| name.to_string()));
        self
    }

    /// Parses `text` into the set: its body becomes the template of the set's name, its
    /// definitions join the set. As in Go, a definition replaces an earlier one of the same name
    /// unless it is empty, so parsing user files after defaults overrides them; within one text a
    /// name may be defined only once.
    pub fn parse(mut self, text: &str) -> Result<Template, ParseError> {
        for (name, tree) in self.parse_trees(&self.name, text)? {
            self.install(name, tree, false);
        }
        Ok(self)
    }

    fn parse_trees(&self, name: &str, text: &str) -> Result<HashMap<String, Tree>, ParseError> {
        let funcs = &self.funcs;
        parse::parse(name, text, &|f| funcs.contains_key(f), &self.variables)
    }

    fn install(&mut self, name: String, tree: Tree, force: bool) {
        if force || !tree.is_empty() || !self.trees.contains_key(&name) {
            self.trees.insert(name, Arc::new(tree));
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parsed template of that name.
    pub fn tree(&self, name: &str) -> Option<&Tree> {
        self.trees.get(name).map(|tree| &**tree)
    }

    /// The names of the templates in the set, sorted.
    pub fn template_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.trees.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Executes the template of the set's name with dot and `$` set to `data`.
    pub fn execute(&self, data: &Value) -> Result<String, ExecError> {
        self.execute_with(data, &[])
    }

    /// Like [`Template::execute`], giving values to the variables declared with
    /// [`Template::variables`] (those not given are nil).
    pub fn execute_with(&self, data: &Value, vars: &[(&str, Value)]) -> Result<String, ExecError> {
        self.execute_host(data, vars, None)
    }

    /// Like [`Template::execute_with`], with the bodies of the set's [`Function::host`] functions.
    pub fn execute_host(
        &self,
        data: &Value,
        vars: &[(&str, Value)],
        host: Option<Host<'_>>,
    ) -> Result<String, ExecError> {
        let bound = self
            .variables
            .iter()
            .map(|name| {
                let value = vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
                (format!("${name}"), value)
            })
            .collect();
        self.run(&self.name, data, bound, host)
    }

    /// Executes the template defined as `name`.
    pub fn execute_template(&self, name: &str, data: &Value) -> Result<String, ExecError> {
        self.run(name, data, Vec::new(), None)
    }

    fn run(
        &self,
        name: &str,
        data: &Value,
        vars: Vec<(String, Value)>,
        host: Option<Host<'_>>,
    ) -> Result<String, ExecError> {
        let Some(tree) = self.trees.get(name) else {
            let kind = ExecErrorKind::UndefinedTemplate(name.to_string());
            return Err(ExecError::new(name.to_string(), None, String::new(), kind));
        };
        exec::execute(self, tree, data, vars, host)
    }

    /// Parses `text` as one more template beside the set's definitions and executes it: what
    /// Alertmanager does with each field of a receiver (`title: '{{ template "slack.default.title" . }}'`).
    /// Definitions in `text` are visible to it only. An empty text renders as empty.
    pub fn render(&self, text: &str, data: &Value) -> Result<String, Error> {
        if text.is_empty() {
            return Ok(String::new());
        }
        let mut set = self.clone();
        set.name = String::new();
        for (name, tree) in self.parse_trees("", text)? {
            let force = name.is_empty();
            set.install(name, tree, force);
        }
        Ok(set.execute(data)?)
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .field("templates", &self.template_names())
            .field("variables", &self.variables)
            .finish_non_exhaustive()
    }
}
