//! Test-only rendering of parse results as short lines, so unit tests read as tables of input and
//! expected output.

use crate::{Metadata, Parsed, Sample};

/// Renders a sample as `name{label="value",...} value @timestamp_ms`. Values use `Debug`, so NaN
/// and the infinities print as `NaN`, `inf` and `-inf`, and label values show their escapes.
pub(crate) fn render_sample(sample: &Sample) -> String {
    let pairs: Vec<String> = sample.labels.iter().map(|(name, value)| format!("{name}={value:?}")).collect();
    let labels = if pairs.is_empty() { String::new() } else { format!("{{{}}}", pairs.join(",")) };
    let timestamp = sample.timestamp_ms.map(|ms| format!(" @{ms}")).unwrap_or_default();
    format!("{}{labels} {:?}{timestamp}", sample.name, sample.value)
}

/// Renders family metadata as `meta family Kind help="..." unit="..."`.
pub(crate) fn render_metadata(metadata: &Metadata) -> String {
    format!("meta {} {:?} help={:?} unit={:?}", metadata.family, metadata.kind, metadata.help, metadata.unit)
}

/// Renders metadata first, then samples, then errors as `error line N: message`, each in the
/// order the parser produced them.
pub(crate) fn render(parsed: &Parsed) -> Vec<String> {
    let metadata = parsed.metadata.iter().map(render_metadata);
    let samples = parsed.samples.iter().map(render_sample);
    let errors = parsed.errors.iter().map(|error| format!("error {error}"));
    metadata.chain(samples).chain(errors).collect()
}
