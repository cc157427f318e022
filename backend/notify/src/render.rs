//! Rendering an integration's templated fields against the group's template data.

use lookout_template::Template;
use lookout_template::Value;
use lookout_template::alertmanager::Data;

use crate::error::DeliveryError;

/// The template set and one notification's data.
pub(crate) struct Renderer<'a> {
    templates: &'a Template,
    data: Value,
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(templates: &'a Template, data: &Data) -> Renderer<'a> {
        Renderer { templates, data: data.to_value() }
    }

    /// Renders `text`; `field` names it in the error.
    pub(crate) fn text(&self, field: &str, text: &str) -> Result<String, DeliveryError> {
        self.templates
            .render(text, &self.data)
            .map_err(|e| DeliveryError::Template { field: field.to_string(), message: e.to_string() })
    }
}

/// Alertmanager's `notify.Truncate`: at most `n` runes, the last replaced by `…` when cut.
pub(crate) fn truncate(s: String, n: usize) -> String {
    if s.chars().count() <= n {
        return s;
    }
    let mut cut: String = s.chars().take(n.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_in_runes() {
        assert_eq!(truncate("abc".to_string(), 3), "abc");
        assert_eq!(truncate("abcd".to_string(), 3), "ab…");
        assert_eq!(truncate("ééé€".to_string(), 3), "éé…");
    }
}
