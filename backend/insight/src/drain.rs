//! Log lines grouped into patterns with the Drain algorithm, as Loki's pattern ingester does: a
//! line is split into tokens (punctuation its own token, spaces remembered), a prefix tree keyed
//! by the token count and the first tokens finds the clusters it may belong to, and the most
//! similar one (equal tokens over all, at least [`Config::similarity`]) takes it, its differing
//! tokens becoming `<_>`. Tokens with digits always take the tree's `<_>` branch, so numbers never
//! split clusters. JSON lines are grouped by their message field and logfmt lines by their values
//! (times and trace ids as `<_>`), as Loki does.

use std::collections::{BTreeMap, HashMap};

/// The placeholder for a variable token.
pub const PARAM: &str = "<_>";
/// Loki's sample bucket: counts are kept per 10 s.
pub const BUCKET_MS: i64 = 10_000;
/// The fields of a JSON line whose string is its message, in Loki's order.
const MESSAGE_FIELDS: [&str; 6] = ["log", "message", "msg", "msg_", "_msg", "content"];
/// Tokens a line may have before the rest of it is one token.
const MAX_TOKENS: usize = 128;

/// Loki's defaults.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Depth of the prefix tree, counting the root and the token-count level.
    pub depth: usize,
    pub similarity: f64,
    pub max_children: usize,
    /// Clusters kept; the least recently used goes first.
    pub max_clusters: usize,
    pub max_line_bytes: usize,
    /// Lines with fewer or more tokens are not grouped.
    pub min_tokens: usize,
    pub max_tokens: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            depth: 30,
            similarity: 0.3,
            max_children: 15,
            max_clusters: 300,
            max_line_bytes: 3000,
            min_tokens: 4,
            max_tokens: 80,
        }
    }
}

/// How a stream's lines are split, guessed from its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Json,
    Logfmt,
    Plain,
}

impl Format {
    /// Loki's guess: braces make JSON, `key=value` pairs throughout make logfmt.
    pub fn detect(line: &str) -> Format {
        let line = line.trim_end_matches(['\n', '\r']);
        if line.len() >= 2 && line.starts_with('{') && line.ends_with('}') {
            Format::Json
        } else if is_logfmt(line) {
            Format::Logfmt
        } else {
            Format::Plain
        }
    }
}

/// Whether every space-separated part is `word=value` (a value in quotes may hold spaces).
fn is_logfmt(line: &str) -> bool {
    let pairs = logfmt_pairs(line);
    !pairs.is_empty()
        && pairs.iter().all(|(k, v)| v.is_some() && !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

/// A line's tokens and where its spaces were, to print the pattern as the line was spaced.
#[derive(Debug, Clone, PartialEq)]
struct Tokens {
    tokens: Vec<String>,
    /// For each token, the spaces that followed it.
    spaces: Vec<u16>,
    /// Spaces before the first token.
    leading: u16,
}

/// Splits a line as Loki's punctuation tokenizer does: letters, digits and `_-.:/` (and symbols,
/// tabs, newlines) make words; any other punctuation and `=` stand alone; spaces separate.
fn punctuation_tokens(line: &str) -> Tokens {
    let mut out = Tokens { tokens: Vec::new(), spaces: Vec::new(), leading: 0 };
    let mut current = String::new();
    let push = |out: &mut Tokens, token: String| {
        out.tokens.push(token);
        out.spaces.push(0);
    };
    for (i, c) in line.char_indices() {
        if out.tokens.len() >= MAX_TOKENS - 1 {
            current.push_str(&line[i..]);
            break;
        }
        if c == ' ' {
            if !current.is_empty() {
                push(&mut out, std::mem::take(&mut current));
            }
            match out.spaces.last_mut() {
                Some(n) => *n = n.saturating_add(1),
                None => out.leading = out.leading.saturating_add(1),
            }
        } else if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/') || !is_punctuation(c) {
            current.push(c);
        } else {
            if !current.is_empty() {
                push(&mut out, std::mem::take(&mut current));
            }
            push(&mut out, c.to_string());
        }
    }
    if !current.is_empty() {
        push(&mut out, current);
    }
    out
}

/// Go's `unicode.IsPunct` for the characters logs use, and `=`.
fn is_punctuation(c: char) -> bool {
    c == '='
        || (c.is_ascii_punctuation() && !matches!(c, '$' | '+' | '<' | '>' | '^' | '`' | '|' | '~'))
        || matches!(c, '«' | '»' | '¡' | '¿' | '§' | '¶' | '·' | '‘' | '’' | '“' | '”' | '…' | '–' | '—')
}

/// `key=value` pairs of a logfmt line (`None` for a bare key); quoted values unescaped.
fn logfmt_pairs(line: &str) -> Vec<(String, Option<String>)> {
    let mut pairs = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let key_end = rest.find(['=', ' ']).unwrap_or(rest.len());
        let key = rest[..key_end].to_string();
        rest = &rest[key_end..];
        if let Some(after) = rest.strip_prefix('=') {
            let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
                let mut value = String::new();
                let mut end = None;
                let mut escaped = false;
                for (i, c) in quoted.char_indices() {
                    match (escaped, c) {
                        (true, c) => {
                            value.push(match c {
                                'n' => '\n',
                                't' => '\t',
                                c => c,
                            });
                            escaped = false;
                        }
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i + 1);
                            break;
                        }
                        (false, c) => value.push(c),
                    }
                }
                match end {
                    Some(end) => (value, &quoted[end..]),
                    None => return Vec::new(),
                }
            } else {
                let end = after.find(' ').unwrap_or(after.len());
                (after[..end].to_string(), &after[end..])
            };
            pairs.push((key, Some(value)));
            rest = remaining.trim_start();
        } else {
            pairs.push((key, None));
            rest = rest.trim_start();
        }
    }
    pairs
}

/// A logfmt value as go-logfmt writes it: quoted when it holds a space, `=`, `"` or a control.
fn logfmt_value(value: &str) -> String {
    if value == PARAM || !value.chars().any(|c| c <= ' ' || c == '=' || c == '"') {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The message string of a JSON line, from the first of Loki's message fields that is a string.
fn json_message(line: &str) -> Option<String> {
    let serde_json::Value::Object(map) = serde_json::from_str(line).ok()? else { return None };
    MESSAGE_FIELDS.iter().find_map(|f| map.get(*f)?.as_str().map(str::to_string))
}

/// One pattern: its template, how to print it, and its counts per bucket.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub id: usize,
    template: Tokens,
    format: Format,
    /// Lines it took.
    pub count: u64,
    /// Lines per [`BUCKET_MS`] bucket, by the bucket's start in Unix milliseconds.
    pub buckets: BTreeMap<i64, u64>,
    last_used: u64,
}

impl Cluster {
    /// The pattern as Loki prints it: JSON lines' messages between `<_>`s, logfmt re-encoded,
    /// plain lines with their spacing, repeated placeholders folded into one.
    pub fn pattern(&self) -> String {
        let joined = match self.format {
            Format::Logfmt => self
                .template
                .tokens
                .chunks(2)
                .map(|kv| format!("{}={}", kv[0], kv.get(1).map(|v| logfmt_value(v)).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(" "),
            Format::Json => format!("{PARAM}{}{PARAM}", self.joined(false)),
            Format::Plain => self.joined(false),
        };
        fold_placeholders(&joined)
    }

    /// The template of a JSON line's message (or of a plain line), without the placeholders Loki
    /// puts around a JSON line's other fields: what a person reads. Numbers show as `<_>` even
    /// when every line had the same one, since a number is a value, not part of the message
    /// (Loki's template keeps them until two lines differ).
    pub fn message(&self) -> String {
        self.joined(true)
    }

    /// The tokens with the line's spacing, placeholders folded.
    fn joined(&self, numbers_as_params: bool) -> String {
        let t = &self.template;
        let mut out = " ".repeat(t.leading as usize);
        for (token, spaces) in t.tokens.iter().zip(&t.spaces) {
            out.push_str(if numbers_as_params && is_number(token) { PARAM } else { token });
            out.push_str(&" ".repeat(*spaces as usize));
        }
        fold_placeholders(&out)
    }
}

/// A token that is a number (`2.00`, `-1`, `1e3`), not a word with digits (`v2`, `s3`).
fn is_number(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_digit() || c == '-') && token.parse::<f64>().is_ok()
}

/// `<_><_>` folded into one `<_>`.
fn fold_placeholders(text: &str) -> String {
    let double = format!("{PARAM}{PARAM}");
    let mut out = text.to_string();
    while out.contains(&double) {
        out = out.replace(&double, PARAM);
    }
    out
}

/// A node of the prefix tree.
#[derive(Debug, Default)]
struct Node {
    children: Vec<(String, usize)>,
    clusters: Vec<usize>,
}

impl Node {
    fn child(&self, key: &str) -> Option<usize> {
        self.children.iter().find(|(k, _)| k == key).map(|(_, n)| *n)
    }
}

/// The Drain state of one stream.
#[derive(Debug)]
pub struct Drain {
    config: Config,
    format: Option<Format>,
    nodes: Vec<Node>,
    /// The live clusters by id; an evicted one is gone, so eviction looks at live ones only.
    clusters: HashMap<usize, Cluster>,
    next_id: usize,
    clock: u64,
}

impl Drain {
    /// A Drain that guesses the format from the first line it is given.
    pub fn new(config: Config) -> Drain {
        Drain { config, format: None, nodes: vec![Node::default()], clusters: HashMap::new(), next_id: 0, clock: 0 }
    }

    /// A Drain for lines of a known format.
    pub fn with_format(config: Config, format: Format) -> Drain {
        Drain { format: Some(format), ..Drain::new(config) }
    }

    /// Adds a line seen at `ts_ms`; the cluster that took it, or `None` for a line too long,
    /// too short, too long in tokens, or not readable in the stream's format.
    pub fn train(&mut self, line: &str, ts_ms: i64) -> Option<usize> {
        if line.len() > self.config.max_line_bytes {
            return None;
        }
        let format = *self.format.get_or_insert_with(|| Format::detect(line));
        let tokens = tokenize(line, format)?;
        if tokens.tokens.len() < self.config.min_tokens || tokens.tokens.len() > self.config.max_tokens {
            return None;
        }
        self.clock += 1;
        let id = match self.search(&tokens.tokens) {
            Some(id) => {
                let cluster = self.clusters.get_mut(&id)?;
                for (kept, seen) in cluster.template.tokens.iter_mut().zip(&tokens.tokens) {
                    if kept != seen {
                        *kept = PARAM.to_string();
                    }
                }
                id
            }
            None => {
                let id = self.next_id;
                self.next_id += 1;
                // Used now, so the eviction that follows takes an older one.
                let cluster =
                    Cluster { id, template: tokens, format, count: 0, buckets: BTreeMap::new(), last_used: self.clock };
                self.clusters.insert(id, cluster);
                self.insert(id);
                self.evict();
                id
            }
        };
        let cluster = self.clusters.get_mut(&id)?;
        cluster.count += 1;
        cluster.last_used = self.clock;
        *cluster.buckets.entry(ts_ms - ts_ms.rem_euclid(BUCKET_MS)).or_default() += 1;
        Some(id)
    }

    /// The live clusters.
    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.values()
    }

    pub fn cluster(&self, id: usize) -> Option<&Cluster> {
        self.clusters.get(&id)
    }

    /// How many tokens of a line the tree looks at.
    fn tree_tokens(&self, count: usize) -> usize {
        count.min(self.config.depth - 2).saturating_sub(1)
    }

    fn search(&self, tokens: &[String]) -> Option<usize> {
        let mut node = self.nodes[0].child(&tokens.len().to_string())?;
        for token in &tokens[..self.tree_tokens(tokens.len())] {
            node = self.nodes[node].child(token).or_else(|| self.nodes[node].child(PARAM))?;
        }
        let mut best: Option<(f64, usize, usize)> = None;
        for &id in &self.nodes[node].clusters {
            let Some(cluster) = self.cluster(id) else { continue };
            let (equal, params) = cluster.template.tokens.iter().zip(tokens).fold((0, 0), |(e, p), (t, s)| {
                if t == PARAM {
                    (e, p + 1)
                } else if t == s {
                    (e + 1, p)
                } else {
                    (e, p)
                }
            });
            let similarity = equal as f64 / tokens.len() as f64;
            if best.is_none_or(|(s, p, _)| similarity > s || (similarity == s && params > p)) {
                best = Some((similarity, params, id));
            }
        }
        best.filter(|(s, _, _)| *s >= self.config.similarity).map(|(_, _, id)| id)
    }

    fn insert(&mut self, id: usize) {
        let tokens = self.clusters.get(&id).map(|c| c.template.tokens.clone()).unwrap_or_default();
        let count_key = tokens.len().to_string();
        let mut node = match self.nodes[0].child(&count_key) {
            Some(n) => n,
            None => self.add_child(0, count_key),
        };
        for token in &tokens[..self.tree_tokens(tokens.len())] {
            node = if let Some(child) = self.nodes[node].child(token) {
                child
            } else if token.chars().any(char::is_numeric) {
                self.param_child(node)
            } else {
                let children = self.nodes[node].children.len();
                let has_param = self.nodes[node].child(PARAM).is_some();
                if (has_param && children < self.config.max_children)
                    || (!has_param && children + 1 < self.config.max_children)
                {
                    self.add_child(node, token.clone())
                } else {
                    self.param_child(node)
                }
            };
        }
        let live = &self.clusters;
        self.nodes[node].clusters.retain(|c| live.contains_key(c));
        self.nodes[node].clusters.push(id);
    }

    fn add_child(&mut self, parent: usize, key: String) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node::default());
        self.nodes[parent].children.push((key, id));
        id
    }

    fn param_child(&mut self, parent: usize) -> usize {
        self.nodes[parent].child(PARAM).unwrap_or_else(|| self.add_child(parent, PARAM.to_string()))
    }

    /// Drops the least recently used cluster while there are more than the configured number.
    fn evict(&mut self) {
        while self.clusters.len() > self.config.max_clusters {
            let Some(oldest) = self.clusters().min_by_key(|c| c.last_used).map(|c| c.id) else { return };
            self.clusters.remove(&oldest);
        }
    }
}

/// A line's tokens in its format; `None` when it cannot be read so.
fn tokenize(line: &str, format: Format) -> Option<Tokens> {
    match format {
        Format::Plain => Some(punctuation_tokens(line)),
        Format::Json => Some(punctuation_tokens(&json_message(line)?)),
        Format::Logfmt => {
            let pairs = logfmt_pairs(line);
            if pairs.is_empty() {
                return None;
            }
            let mut tokens = Vec::with_capacity(pairs.len() * 2);
            for (key, value) in pairs {
                // Times and trace ids differ on every line, as Loki treats them.
                let variable =
                    key == "t" || matches!(key.to_ascii_lowercase().as_str(), "ts" | "time" | "timestamp" | "traceid");
                tokens.push(key);
                tokens.push(if variable { PARAM.to_string() } else { value.unwrap_or_default() });
            }
            let spaces = vec![1; tokens.len()];
            Some(Tokens { tokens, spaces, leading: 0 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trains a Drain on `lines` and compares its patterns, sorted.
    fn check(format: Option<Format>, lines: &[&str], expected: &[&str]) {
        let mut drain = match format {
            Some(format) => Drain::with_format(Config::default(), format),
            None => Drain::new(Config::default()),
        };
        for (i, line) in lines.iter().enumerate() {
            drain.train(line, i as i64 * 1000);
        }
        let mut got: Vec<String> = drain.clusters().map(Cluster::pattern).collect();
        got.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(got, expected);
    }

    #[test]
    fn tokens_as_loki_splits_them() {
        let tokens = |line: &str| punctuation_tokens(line).tokens;
        assert_eq!(tokens("key1=value1 key2=value2"), ["key1", "=", "value1", "key2", "=", "value2"]);
        assert_eq!(tokens("key1:value1 key2:value2"), ["key1:value1", "key2:value2"]);
        assert_eq!(tokens(r#"msg="this is""#), ["msg", "=", "\"", "this", "is", "\""]);
        assert_eq!(tokens("!@£$%^&*()"), ["!", "@", "£$", "%", "^", "&", "*", "(", ")"]);
        let long = format!("{}127 128 129", "A ".repeat(126));
        let split = tokens(&long);
        assert_eq!((split.len(), split[126].as_str(), split[127].as_str()), (128, "127", "128 129"));
        // Spacing survives, leading spaces too.
        let t = punctuation_tokens("  a  b=c ");
        assert_eq!((t.leading, t.spaces.clone()), (2, vec![2, 0, 0, 1]));
    }

    #[test]
    fn loki_examples() {
        // Two shapes, the last token variable (Loki's pruning test).
        let mut lines: Vec<String> = ('A'..='G').map(|c| format!("test test test {c}")).collect();
        lines.extend(['W', 'X', 'Y', 'Z'].map(|c| format!("my name is {c}")));
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        check(None, &lines, &["my name is <_>", "test test test <_>"]);
        // A number in the tree's path.
        check(
            None,
            &["test 1 test test", "test 2 test test", "test 3 test test", "test 4 test test"],
            &["test <_> test test"],
        );
        check(
            None,
            &[
                "server request took 123 ms to complete",
                "server request took 456 ms to complete",
                "server request took 789 ms to complete",
            ],
            &["server request took <_> ms to complete"],
        );
        // Loki's vault lines, the double space kept.
        check(
            None,
            &[
                "2024-05-07T10:58:13.877Z [INFO]  expiration: revoked lease: lease_id=auth/kubernetes/dev-us-central-0/login/h8fc47b8d69b6067dfef3bfc7ce32d9b79f04c7658699678d333a6fe1ec1f94d6",
                "2024-05-07T10:58:13.790Z [INFO]  expiration: revoked lease: lease_id=auth/kubernetes/dev-us-east-0/login/hcae776c5ea5b05ed12d123dc2562db1e7a0457b8acfb9bde5ee43c8a3fa61ebd",
                "2024-05-07T10:58:13.444Z [INFO]  expiration: revoked lease: lease_id=auth/kubernetes/dev-us-central-0/login/h64ea582437fc72c1f5bb0ad92d990cf0224505a029c7473ed4af89aeaee340da",
            ],
            &["<_> [INFO]  expiration: revoked lease: lease_id=<_>"],
        );
        // The scheduler lines, read as plain text.
        let scheduler = |ts: &str, addr: &str| {
            format!(
                r#"ts={ts} caller=scheduler_processor.go:143 level=warn msg="error contacting scheduler" err="rpc error: code = Unavailable desc = connection error: desc = \"error reading server preface: EOF\"" addr={addr}"#
            )
        };
        let lines = [
            scheduler("2024-05-30T12:50:36.648377186Z", "10.0.151.101:9095"),
            scheduler("2024-05-30T12:50:36.350575929Z", "10.0.45.239:9095"),
            scheduler("2024-05-30T12:50:36.335784477Z", "10.0.151.101:9095"),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        check(
            Some(Format::Plain),
            &lines,
            &[
                r#"ts=<_> caller=scheduler_processor.go:143 level=warn msg="error contacting scheduler" err="rpc error: code = Unavailable desc = connection error: desc = \"error reading server preface: EOF\"" addr=<_>"#,
            ],
        );
    }

    #[test]
    fn logfmt_and_json() {
        // Loki's ingester test: logfmt from the first line, times always variable.
        let mut lines = vec!["ts=1 msg=hello".to_string()];
        lines.extend(
            (0..31).map(
                |i| {
                    if i % 2 == 0 { format!("foo=bar num={}", i * 7) } else { format!("foo=baz num={}", i * 13) }
                },
            ),
        );
        lines.push("ts=2 msg=hello".into());
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        // Two-pair lines have four tokens: key, value, key, value.
        check(None, &lines, &["foo=bar num=<_>", "foo=baz num=<_>", "ts=<_> msg=hello"]);
        // JSON lines by their message, as Loki prints them.
        check(
            None,
            &[
                r#"{"level":"ERROR","message":"couldn't get a connection after 2.00 sec","request_id":"a1"}"#,
                r#"{"level":"ERROR","message":"couldn't get a connection after 2.01 sec","request_id":"b2"}"#,
                r#"{"level":"ERROR","message":"no message field here"}"#,
            ],
            &["<_>couldn't get a connection after <_> sec<_>", "<_>no message field here<_>"],
        );
    }

    #[test]
    fn numbers_read_as_values() {
        let mut drain = Drain::new(Config::default());
        let id = drain.train(r#"{"message":"couldn't get a connection after 2.00 sec from pool v2"}"#, 0).unwrap();
        drain.train(r#"{"message":"couldn't get a connection after 2.00 sec from pool v2"}"#, 0);
        let cluster = drain.cluster(id).unwrap();
        assert_eq!(cluster.pattern(), "<_>couldn't get a connection after 2.00 sec from pool v2<_>", "Loki's template");
        assert_eq!(cluster.message(), "couldn't get a connection after <_> sec from pool v2");
        assert!(is_number("-1") && is_number("1e3") && !is_number("e3") && !is_number("v2") && !is_number("-"));
    }

    #[test]
    fn the_tree_fans_out_to_a_placeholder() {
        let names = [
            "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj",
            "olivia", "peggy", "rupert", "sybil",
        ];
        let mut drain = Drain::new(Config::default());
        for name in names {
            drain.train(&format!("user {name} logged in"), 0);
        }
        let patterns: Vec<String> = drain.clusters().map(Cluster::pattern).collect();
        assert_eq!(patterns.len(), 15, "{patterns:?}");
        assert!(patterns.contains(&"user <_> logged in".to_string()), "{patterns:?}");
    }

    #[test]
    fn bounded_and_odd_input() {
        let config = Config { max_clusters: 3, ..Config::default() };
        let mut drain = Drain::with_format(config, Format::Plain);
        for i in 0..10 {
            drain.train(&format!("shape{} a b c", ["x", "y", "z", "w", "v"][i % 5]), 0);
        }
        assert_eq!(drain.clusters().count(), 3);
        // The least recently used went: the last three shapes trained stay.
        let mut kept: Vec<String> = drain.clusters().map(Cluster::pattern).collect();
        kept.sort();
        assert_eq!(kept, ["shapev a b c", "shapew a b c", "shapez a b c"]);
        assert_eq!(drain.train("too few", 0), None);
        assert_eq!(drain.train(&"x ".repeat(2000), 0), None, "longer than the line limit");
        assert_eq!(drain.train(&"x ".repeat(100), 0), None, "more tokens than the limit");
        let mut json = Drain::with_format(Config::default(), Format::Json);
        assert_eq!(json.train("{not json", 0), None);
        assert_eq!(json.train(r#"{"message":{"nested":1}}"#, 0), None);
    }
}
