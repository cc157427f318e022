//! Prometheus relabeling: the `relabel_configs` / `metric_relabel_configs` rules that rewrite,
//! keep or drop label sets, applied in order.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

/// A label set being relabeled: sorted, so rules see labels in a stable order.
pub type LabelMap = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    #[default]
    Replace,
    Keep,
    Drop,
    KeepEqual,
    DropEqual,
    HashMod,
    LabelMap,
    LabelDrop,
    LabelKeep,
    Lowercase,
    Uppercase,
}

/// One rule as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    #[serde(default)]
    pub source_labels: Vec<String>,
    pub separator: Option<String>,
    pub target_label: Option<String>,
    pub regex: Option<String>,
    pub modulus: Option<u64>,
    pub replacement: Option<String>,
    #[serde(default)]
    pub action: Action,
}

/// A validated rule with its regex compiled (anchored, as in Prometheus).
#[derive(Debug, Clone)]
pub struct Rule {
    source_labels: Vec<String>,
    separator: String,
    target_label: String,
    regex: Regex,
    modulus: u64,
    replacement: String,
    action: Action,
}

impl Rule {
    pub fn compile(raw: &RawRule) -> Result<Rule, String> {
        let pattern = raw.regex.clone().unwrap_or_else(|| "(.*)".into());
        let regex = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| format!("invalid regex {pattern:?}: {e}"))?;
        let target_label = raw.target_label.clone().unwrap_or_default();
        let needs_target = matches!(
            raw.action,
            Action::Replace
                | Action::HashMod
                | Action::Lowercase
                | Action::Uppercase
                | Action::KeepEqual
                | Action::DropEqual
        );
        if needs_target && target_label.is_empty() {
            return Err(format!("relabel action {:?} requires target_label", raw.action));
        }
        if raw.action == Action::HashMod && raw.modulus.unwrap_or(0) == 0 {
            return Err("relabel action hashmod requires a modulus greater than zero".into());
        }
        Ok(Rule {
            source_labels: raw.source_labels.clone(),
            separator: raw.separator.clone().unwrap_or_else(|| ";".into()),
            target_label,
            regex,
            modulus: raw.modulus.unwrap_or(0),
            replacement: raw.replacement.clone().unwrap_or_else(|| "$1".into()),
            action: raw.action,
        })
    }
}

/// Applies the rules in order; `None` means the label set was dropped.
pub fn apply(rules: &[Rule], mut labels: LabelMap) -> Option<LabelMap> {
    for rule in rules {
        let value = rule
            .source_labels
            .iter()
            .map(|n| labels.get(n).map_or("", String::as_str))
            .collect::<Vec<_>>()
            .join(&rule.separator);
        match rule.action {
            Action::Drop if rule.regex.is_match(&value) => return None,
            Action::Keep if !rule.regex.is_match(&value) => return None,
            // A missing target label compares as the empty string.
            Action::DropEqual if labels.get(&rule.target_label).map_or("", String::as_str) == value => return None,
            Action::KeepEqual if labels.get(&rule.target_label).map_or("", String::as_str) != value => return None,
            Action::Replace => {
                if let Some(caps) = rule.regex.captures(&value) {
                    let mut target = String::new();
                    caps.expand(&rule.target_label, &mut target);
                    let mut replaced = String::new();
                    caps.expand(&rule.replacement, &mut replaced);
                    if !lookout_tsdb::is_valid_label_name(&target) {
                        continue;
                    }
                    if replaced.is_empty() {
                        labels.remove(&target);
                    } else {
                        labels.insert(target, replaced);
                    }
                }
            }
            Action::Lowercase | Action::Uppercase => {
                let changed =
                    if rule.action == Action::Lowercase { value.to_lowercase() } else { value.to_uppercase() };
                // Setting an empty value removes the label, as everywhere in Prometheus.
                if changed.is_empty() {
                    labels.remove(&rule.target_label);
                } else {
                    labels.insert(rule.target_label.clone(), changed);
                }
            }
            Action::HashMod => {
                let hash = md5_prefix(&value);
                labels.insert(rule.target_label.clone(), (hash % rule.modulus).to_string());
            }
            Action::LabelMap => {
                let mapped: Vec<(String, String)> = labels
                    .iter()
                    .filter_map(|(name, v)| {
                        let caps = rule.regex.captures(name)?;
                        let mut new_name = String::new();
                        caps.expand(&rule.replacement, &mut new_name);
                        Some((new_name, v.clone()))
                    })
                    .collect();
                labels.extend(mapped);
            }
            Action::LabelDrop => labels.retain(|name, _| !rule.regex.is_match(name)),
            Action::LabelKeep => labels.retain(|name, _| rule.regex.is_match(name)),
            _ => {}
        }
    }
    Some(labels)
}

/// `hashmod` in Prometheus takes the last 8 bytes of the MD5 sum, big-endian. A small MD5
/// keeps shards identical to Prometheus's, so a migrated config shards targets the same way.
fn md5_prefix(text: &str) -> u64 {
    let digest = md5(text.as_bytes());
    u64::from_be_bytes([digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]])
}

fn md5(input: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ];
    let k: Vec<u32> = (0..64).map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32).collect();
    let (mut a0, mut b0, mut c0, mut d0) = (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    let mut msg = input.to_vec();
    let bit_len = (input.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = chunk.chunks(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (i, v) in [a0, b0, c0, d0].iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Vec<Rule> {
        let raw: Vec<RawRule> = serde_norway::from_str(yaml).unwrap();
        raw.iter().map(|r| Rule::compile(r).unwrap()).collect()
    }

    fn labels(pairs: &[(&str, &str)]) -> LabelMap {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn check(yaml: &str, input: &[(&str, &str)], expected: Option<&[(&str, &str)]>) {
        assert_eq!(apply(&rules(yaml), labels(input)), expected.map(labels), "{yaml}");
    }

    #[test]
    fn the_common_actions() {
        check(
            "- source_labels: [__address__]\n  regex: '(.*):\\d+'\n  target_label: host\n",
            &[("__address__", "web:9100")],
            Some(&[("__address__", "web:9100"), ("host", "web")]),
        );
        check("- source_labels: [env]\n  regex: prod\n  action: keep\n", &[("env", "dev")], None);
        check("- source_labels: [env]\n  regex: prod\n  action: drop\n", &[("env", "dev")], Some(&[("env", "dev")]));
        check(
            "- regex: __meta_(.+)\n  action: labelmap\n",
            &[("__meta_zone", "a")],
            Some(&[("__meta_zone", "a"), ("zone", "a")]),
        );
        check("- regex: tmp_.*\n  action: labeldrop\n", &[("tmp_x", "1"), ("y", "2")], Some(&[("y", "2")]));
        check(
            "- source_labels: [a, b]\n  separator: '-'\n  target_label: c\n",
            &[("a", "1"), ("b", "2")],
            Some(&[("a", "1"), ("b", "2"), ("c", "1-2")]),
        );
        // A missing target label compares as empty: keepequal keeps, dropequal drops.
        check("- source_labels: [x]\n  target_label: y\n  action: keepequal\n", &[("z", "1")], Some(&[("z", "1")]));
        check("- source_labels: [x]\n  target_label: y\n  action: dropequal\n", &[("z", "1")], None);
        // An empty replacement removes the target label.
        check(
            "- source_labels: [x]\n  target_label: y\n  replacement: ''\n",
            &[("x", "1"), ("y", "2")],
            Some(&[("x", "1")]),
        );
    }

    #[test]
    fn hashmod_matches_prometheus() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e; its last 8 bytes are e9800998ecf8427e.
        assert_eq!(md5_prefix(""), 0xe980_0998_ecf8_427e);
        check(
            "- source_labels: [x]\n  modulus: 8\n  target_label: shard\n  action: hashmod\n",
            &[],
            Some(&[("shard", &(0xe980_0998_ecf8_427eu64 % 8).to_string())]),
        );
    }

    #[test]
    fn invalid_rules_are_reported() {
        let raw: Vec<RawRule> = serde_norway::from_str("- regex: '('\n").unwrap();
        assert!(Rule::compile(&raw[0]).unwrap_err().contains("invalid regex"));
        let raw: Vec<RawRule> = serde_norway::from_str("- action: hashmod\n  target_label: x\n").unwrap();
        assert!(Rule::compile(&raw[0]).unwrap_err().contains("modulus"));
    }
}
