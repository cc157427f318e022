//! The small subset of Go's text/template that `line_format` and `label_format` templates are
//! checked against: literal text, `{{ .label }}`, `{{ __line__ }}`, `{{ __timestamp__ }}` and
//! `{{ ToUpper .label }}`/`{{ ToLower .label }}`. Anything else is rejected rather than passed on
//! unchecked, so a template that parses is one an evaluator of this subset can run.

use crate::lexer::is_label_name;

/// A parsed template, with the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The template as written (escapes of the query string resolved).
    pub source: String,
    pub parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Text(String),
    /// `{{ .name }}`, `{{ __line__ }}`, `{{ __timestamp__ }}`
    Value(TemplateValue),
    /// `{{ ToUpper .name }}`
    Call {
        func: TemplateFunc,
        arg: TemplateValue,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateValue {
    /// A label's value: `.name`.
    Field(String),
    /// The log line: `__line__`.
    Line,
    /// The entry's timestamp: `__timestamp__`.
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateFunc {
    ToUpper,
    ToLower,
}

impl TemplateFunc {
    pub fn name(self) -> &'static str {
        match self {
            TemplateFunc::ToUpper => "ToUpper",
            TemplateFunc::ToLower => "ToLower",
        }
    }
}

impl Template {
    /// Parses `source`; the error says which action is not in the supported subset.
    pub fn parse(source: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(TemplatePart::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                return Err(format!("unclosed action {:?}", &rest[open..]));
            };
            parts.push(action(&after[..close])?);
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest.to_string()));
        }
        Ok(Template { source: source.to_string(), parts })
    }
}

fn action(inside: &str) -> Result<TemplatePart, String> {
    let words: Vec<&str> = inside.split_ascii_whitespace().collect();
    let part = match words[..] {
        [value] => value_of(value).map(TemplatePart::Value),
        [func, arg] => {
            let func = match func {
                "ToUpper" => Some(TemplateFunc::ToUpper),
                "ToLower" => Some(TemplateFunc::ToLower),
                _ => None,
            };
            func.zip(value_of(arg)).map(|(func, arg)| TemplatePart::Call { func, arg })
        }
        _ => None,
    };
    part.ok_or_else(|| {
        format!(
            "unsupported template action {{{{{inside}}}}}: supported are {{{{ .label }}}}, {{{{ __line__ }}}}, \
             {{{{ __timestamp__ }}}} and {{{{ ToUpper .label }}}}/{{{{ ToLower .label }}}}"
        )
    })
}

fn value_of(word: &str) -> Option<TemplateValue> {
    match word {
        "__line__" => Some(TemplateValue::Line),
        "__timestamp__" => Some(TemplateValue::Timestamp),
        _ => word.strip_prefix('.').filter(|name| is_label_name(name)).map(|name| TemplateValue::Field(name.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_and_calls() {
        let t = Template::parse("{{.level}}: {{ ToUpper .msg }} at {{ __timestamp__ }}{{__line__}} }} done").unwrap();
        assert_eq!(
            t.parts,
            vec![
                TemplatePart::Value(TemplateValue::Field("level".into())),
                TemplatePart::Text(": ".into()),
                TemplatePart::Call { func: TemplateFunc::ToUpper, arg: TemplateValue::Field("msg".into()) },
                TemplatePart::Text(" at ".into()),
                TemplatePart::Value(TemplateValue::Timestamp),
                TemplatePart::Value(TemplateValue::Line),
                TemplatePart::Text(" }} done".into()),
            ]
        );
        assert_eq!(Template::parse("").unwrap().parts, vec![]);
        assert_eq!(Template::parse("plain").unwrap().parts, vec![TemplatePart::Text("plain".into())]);
        assert_eq!(
            Template::parse("{{ToLower __line__}}").unwrap().parts,
            vec![TemplatePart::Call { func: TemplateFunc::ToLower, arg: TemplateValue::Line }]
        );
    }

    #[test]
    fn other_actions_are_rejected() {
        for bad in [
            "{{ .a | ToUpper }}",
            "{{ if .a }}x{{ end }}",
            "{{ . }}",
            "{{ }}",
            "{{ .a.b }}",
            "{{ .a",
            "{{ printf .a }}",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Template::parse("x {{ .a").unwrap_err(), "unclosed action \"{{ .a\"",);
    }
}
