//! The LogQL syntax tree: log queries (a stream selector and a pipeline of stages) and the metric
//! queries built over them. Nodes carry the byte [`Span`] they were written at.

use std::time::Duration;

pub use crate::template::{Template, TemplateFunc, TemplatePart, TemplateValue};

/// Where a node was written: a byte range of the query text.
///
/// Spans never take part in comparisons (`==` between any two spans is true): two trees are equal
/// when they mean the same query, however it was spaced or parenthesised. That is what lets
/// `parse(&expr.to_string()) == Ok(expr)` hold. Compare `start`/`end` directly to test positions.
#[derive(Debug, Clone, Copy, Default, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl std::hash::Hash for Span {
    // Consistent with `eq`: every span hashes alike.
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A log query: `{app="x"} |= "error" | json`.
    Log(LogExpr),
    /// `count_over_time({...}[5m])`, `quantile_over_time(0.99, {...} | unwrap x [5m]) by (a)`, ...
    RangeAggregation(RangeAggregation),
    /// `sum by (a) (...)`, `topk(5, ...)`, ...
    VectorAggregation(VectorAggregation),
    Binary(BinaryExpr),
    /// A number literal; a leading sign is part of it, as in Loki's grammar.
    Number {
        value: f64,
        span: Span,
    },
    /// `vector(1.5)`.
    Vector {
        value: f64,
        span: Span,
    },
    LabelReplace(LabelReplace),
}

impl Expr {
    pub fn is_log_query(&self) -> bool {
        matches!(self, Expr::Log(_))
    }

    pub fn span(&self) -> Span {
        match self {
            Expr::Log(e) => e.span,
            Expr::RangeAggregation(e) => e.span,
            Expr::VectorAggregation(e) => e.span,
            Expr::Binary(e) => e.span,
            Expr::Number { span, .. } | Expr::Vector { span, .. } => *span,
            Expr::LabelReplace(e) => e.span,
        }
    }

    /// Visits this expression and every expression under it, parents before children.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::VectorAggregation(e) => e.expr.walk(f),
            Expr::Binary(e) => {
                e.lhs.walk(f);
                e.rhs.walk(f);
            }
            Expr::LabelReplace(e) => e.expr.walk(f),
            Expr::Log(_) | Expr::RangeAggregation(_) | Expr::Number { .. } | Expr::Vector { .. } => {}
        }
    }

    /// Every log query in the tree, left to right: the query itself for a log query, the log
    /// queries inside the range aggregations for a metric query.
    pub fn log_exprs(&self) -> Vec<&LogExpr> {
        let mut out = Vec::new();
        self.collect_log_exprs(&mut out);
        out
    }

    fn collect_log_exprs<'a>(&'a self, out: &mut Vec<&'a LogExpr>) {
        match self {
            Expr::Log(e) => out.push(e),
            Expr::RangeAggregation(e) => out.push(&e.range.log),
            Expr::VectorAggregation(e) => e.expr.collect_log_exprs(out),
            Expr::Binary(e) => {
                e.lhs.collect_log_exprs(out);
                e.rhs.collect_log_exprs(out);
            }
            Expr::LabelReplace(e) => e.expr.collect_log_exprs(out),
            Expr::Number { .. } | Expr::Vector { .. } => {}
        }
    }
}

/// A stream selector and the stages its lines pass through, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct LogExpr {
    /// The matchers of `{...}`; never empty.
    pub selector: Vec<Matcher>,
    pub pipeline: Vec<Stage>,
    pub span: Span,
}

impl LogExpr {
    /// The `| unwrap` stage, present only in log ranges of range aggregations.
    pub fn unwrap(&self) -> Option<&Unwrap> {
        self.pipeline.iter().find_map(|stage| match stage {
            Stage::Unwrap(u) => Some(u),
            _ => None,
        })
    }
}

/// `name="value"` and the other string matchers, in selectors, label filters and `drop`/`keep`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    /// The value with escapes resolved; a valid regular expression for `=~` and `!~`.
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=` (`==` in a label filter means the same).
    Eq,
    /// `!=`
    Neq,
    /// `=~`
    Re,
    /// `!~`
    Nre,
}

impl MatchOp {
    pub fn symbol(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Neq => "!=",
            MatchOp::Re => "=~",
            MatchOp::Nre => "!~",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `|= "a"`, `!~ "re"`, `|= "a" or "b"`, ...
    LineFilter(LineFilter),
    /// `| json` or `| json a="x.y", b`.
    Json { params: Vec<LabelExtraction>, span: Span },
    /// `| logfmt`, with optional `--strict`, `--keep-empty` and extraction parameters.
    Logfmt { strict: bool, keep_empty: bool, params: Vec<LabelExtraction>, span: Span },
    /// `| regexp "(?P<name>...)"`; the regex has at least one named capture.
    Regexp { regex: String, span: Span },
    /// `| pattern "<_> <name>"`.
    Pattern { pattern: String, span: Span },
    /// `| unpack`
    Unpack { span: Span },
    /// `| level="error" and duration > 1s`, `| __error__=""`, ...
    LabelFilter { filter: LabelFilter, span: Span },
    /// `| line_format "{{.message}}"`
    LineFormat { template: Template, span: Span },
    /// `| label_format a=b, c="{{.d}}"`
    LabelFormat { formats: Vec<LabelFormat>, span: Span },
    /// `| drop a, b="v"`
    Drop { labels: Vec<LabelSelection>, span: Span },
    /// `| keep a, b="v"`
    Keep { labels: Vec<LabelSelection>, span: Span },
    /// `| decolorize`
    Decolorize { span: Span },
    /// `| unwrap latency`, `| unwrap duration(latency)`; only label filters may follow it.
    Unwrap(Unwrap),
}

impl Stage {
    pub fn span(&self) -> Span {
        match self {
            Stage::LineFilter(f) => f.span,
            Stage::Unwrap(u) => u.span,
            Stage::Json { span, .. }
            | Stage::Logfmt { span, .. }
            | Stage::Regexp { span, .. }
            | Stage::Pattern { span, .. }
            | Stage::Unpack { span }
            | Stage::LabelFilter { span, .. }
            | Stage::LineFormat { span, .. }
            | Stage::LabelFormat { span, .. }
            | Stage::Drop { span, .. }
            | Stage::Keep { span, .. }
            | Stage::Decolorize { span } => *span,
        }
    }
}

/// A line filter; several values are alternatives (`|= "a" or "b"`, Loki 3).
#[derive(Debug, Clone, PartialEq)]
pub struct LineFilter {
    pub op: LineFilterOp,
    /// Never empty. Valid regular expressions for `|~` and `!~`.
    pub values: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineFilterOp {
    /// `|=`
    Contains,
    /// `!=`
    NotContains,
    /// `|~`
    Match,
    /// `!~`
    NotMatch,
    /// `|>` (Loki 3 pattern match)
    Pattern,
    /// `!>`
    NotPattern,
}

impl LineFilterOp {
    pub fn symbol(self) -> &'static str {
        match self {
            LineFilterOp::Contains => "|=",
            LineFilterOp::NotContains => "!=",
            LineFilterOp::Match => "|~",
            LineFilterOp::NotMatch => "!~",
            LineFilterOp::Pattern => "|>",
            LineFilterOp::NotPattern => "!>",
        }
    }
}

/// A parameter of `| json` or `| logfmt`: `name="expression"`, or a bare `name`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelExtraction {
    pub name: String,
    /// `None` for a bare name, which extracts the field of that name.
    pub expression: Option<String>,
}

/// A tree of label predicates; `and` binds tighter than `or`, `,` means `and`.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelFilter {
    /// A string comparison: `level="error"`, `path=~"/api/.*"`.
    Match(Matcher),
    /// A comparison of the label's value read as a number, duration or byte size.
    Compare {
        name: String,
        op: CmpOp,
        value: CmpValue,
        span: Span,
    },
    And(Box<LabelFilter>, Box<LabelFilter>),
    Or(Box<LabelFilter>, Box<LabelFilter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==` (or `=`)
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Neq => "!=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CmpValue {
    Number(f64),
    Duration(Duration),
    /// A byte count (`20MB` is 20 000 000, `1KiB` is 1024).
    Bytes(u64),
}

/// One assignment of `| label_format`.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelFormat {
    /// `dst=src`: renames a label.
    Rename { dst: String, src: String },
    /// `dst="template"`
    Template { dst: String, template: Template },
}

/// A label named by `| drop` or `| keep`: all of them, or only when the matcher holds.
#[derive(Debug, Clone, PartialEq)]
pub enum LabelSelection {
    Name(String),
    Matcher(Matcher),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unwrap {
    pub label: String,
    pub conversion: Option<Conversion>,
    pub span: Span,
}

/// How `| unwrap` reads a label's value; plain `unwrap` reads it as a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conversion {
    /// `duration(label)`: a duration string, as seconds.
    Duration,
    /// `duration_seconds(label)`: the same.
    DurationSeconds,
    /// `bytes(label)`: a byte size string, as bytes.
    Bytes,
}

impl Conversion {
    pub fn name(self) -> &'static str {
        match self {
            Conversion::Duration => "duration",
            Conversion::DurationSeconds => "duration_seconds",
            Conversion::Bytes => "bytes",
        }
    }
}

/// A log query over a time window: the argument of a range aggregation.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRange {
    pub log: LogExpr,
    pub range: Duration,
    pub offset: Option<Duration>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RangeAggregation {
    pub op: RangeOp,
    /// The quantile of `quantile_over_time`; `None` for every other operation.
    pub param: Option<f64>,
    pub range: LogRange,
    /// `by (...)`/`without (...)` after the closing parenthesis (unwrapped operations only).
    pub grouping: Option<Grouping>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeOp {
    CountOverTime,
    Rate,
    RateCounter,
    BytesOverTime,
    BytesRate,
    AbsentOverTime,
    SumOverTime,
    AvgOverTime,
    MaxOverTime,
    MinOverTime,
    FirstOverTime,
    LastOverTime,
    StdvarOverTime,
    StddevOverTime,
    QuantileOverTime,
}

impl RangeOp {
    pub const ALL: [RangeOp; 15] = [
        RangeOp::CountOverTime,
        RangeOp::Rate,
        RangeOp::RateCounter,
        RangeOp::BytesOverTime,
        RangeOp::BytesRate,
        RangeOp::AbsentOverTime,
        RangeOp::SumOverTime,
        RangeOp::AvgOverTime,
        RangeOp::MaxOverTime,
        RangeOp::MinOverTime,
        RangeOp::FirstOverTime,
        RangeOp::LastOverTime,
        RangeOp::StdvarOverTime,
        RangeOp::StddevOverTime,
        RangeOp::QuantileOverTime,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RangeOp::CountOverTime => "count_over_time",
            RangeOp::Rate => "rate",
            RangeOp::RateCounter => "rate_counter",
            RangeOp::BytesOverTime => "bytes_over_time",
            RangeOp::BytesRate => "bytes_rate",
            RangeOp::AbsentOverTime => "absent_over_time",
            RangeOp::SumOverTime => "sum_over_time",
            RangeOp::AvgOverTime => "avg_over_time",
            RangeOp::MaxOverTime => "max_over_time",
            RangeOp::MinOverTime => "min_over_time",
            RangeOp::FirstOverTime => "first_over_time",
            RangeOp::LastOverTime => "last_over_time",
            RangeOp::StdvarOverTime => "stdvar_over_time",
            RangeOp::StddevOverTime => "stddev_over_time",
            RangeOp::QuantileOverTime => "quantile_over_time",
        }
    }

    /// Looks a name up case-insensitively, as Loki's lexer does.
    pub fn from_name(name: &str) -> Option<RangeOp> {
        RangeOp::ALL.into_iter().find(|op| op.name().eq_ignore_ascii_case(name))
    }

    /// Whether the operation reads values, so its log range must end in `| unwrap`.
    pub fn requires_unwrap(self) -> bool {
        !matches!(
            self,
            RangeOp::CountOverTime
                | RangeOp::BytesOverTime
                | RangeOp::BytesRate
                | RangeOp::Rate
                | RangeOp::AbsentOverTime
        )
    }

    /// Whether the operation may take an unwrapped range: all but the ones that count lines or bytes.
    pub fn accepts_unwrap(self) -> bool {
        !matches!(self, RangeOp::CountOverTime | RangeOp::BytesOverTime | RangeOp::BytesRate)
    }

    /// Whether `by`/`without` may follow the call; Loki allows it only where it picks among values.
    pub fn allows_grouping(self) -> bool {
        matches!(
            self,
            RangeOp::AvgOverTime
                | RangeOp::StddevOverTime
                | RangeOp::StdvarOverTime
                | RangeOp::QuantileOverTime
                | RangeOp::MaxOverTime
                | RangeOp::MinOverTime
                | RangeOp::FirstOverTime
                | RangeOp::LastOverTime
        )
    }
}

/// `by (a, b)` or `without (a)`; the list may be empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub without: bool,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VectorAggregation {
    pub op: VectorOp,
    /// k of `topk`/`bottomk` (at least 1); `None` for every other operation.
    pub param: Option<u64>,
    pub expr: Box<Expr>,
    pub grouping: Option<Grouping>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VectorOp {
    Sum,
    Avg,
    Min,
    Max,
    Count,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    Sort,
    SortDesc,
}

impl VectorOp {
    pub const ALL: [VectorOp; 11] = [
        VectorOp::Sum,
        VectorOp::Avg,
        VectorOp::Min,
        VectorOp::Max,
        VectorOp::Count,
        VectorOp::Stddev,
        VectorOp::Stdvar,
        VectorOp::Topk,
        VectorOp::Bottomk,
        VectorOp::Sort,
        VectorOp::SortDesc,
    ];

    pub fn name(self) -> &'static str {
        match self {
            VectorOp::Sum => "sum",
            VectorOp::Avg => "avg",
            VectorOp::Min => "min",
            VectorOp::Max => "max",
            VectorOp::Count => "count",
            VectorOp::Stddev => "stddev",
            VectorOp::Stdvar => "stdvar",
            VectorOp::Topk => "topk",
            VectorOp::Bottomk => "bottomk",
            VectorOp::Sort => "sort",
            VectorOp::SortDesc => "sort_desc",
        }
    }

    pub fn from_name(name: &str) -> Option<VectorOp> {
        VectorOp::ALL.into_iter().find(|op| op.name().eq_ignore_ascii_case(name))
    }

    pub fn takes_param(self) -> bool {
        matches!(self, VectorOp::Topk | VectorOp::Bottomk)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BinaryExpr {
    pub op: BinOp,
    pub lhs: Box<Expr>,
    pub rhs: Box<Expr>,
    /// The `bool` modifier of a comparison.
    pub return_bool: bool,
    /// `on(...)`/`ignoring(...)` and `group_left`/`group_right`, if written.
    pub matching: Option<VectorMatching>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    And,
    Or,
    Unless,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Eq => "==",
            BinOp::Neq => "!=",
            BinOp::Gt => ">",
            BinOp::Gte => ">=",
            BinOp::Lt => "<",
            BinOp::Lte => "<=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Unless => "unless",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Neq | BinOp::Gt | BinOp::Gte | BinOp::Lt | BinOp::Lte)
    }

    pub fn is_set(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or | BinOp::Unless)
    }

    /// Binding strength, PromQL's: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And | BinOp::Unless => 2,
            BinOp::Eq | BinOp::Neq | BinOp::Gt | BinOp::Gte | BinOp::Lt | BinOp::Lte => 3,
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 5,
            BinOp::Pow => 6,
        }
    }

    pub fn right_associative(self) -> bool {
        self == BinOp::Pow
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VectorMatching {
    /// `on(...)` when true, `ignoring(...)` when false.
    pub on: bool,
    pub labels: Vec<String>,
    pub card: Cardinality,
    /// The labels of `group_left(...)`/`group_right(...)`.
    pub include: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cardinality {
    OneToOne,
    /// `group_left`
    ManyToOne,
    /// `group_right`
    OneToMany,
}

/// `label_replace(expr, "dst", "replacement", "src", "regex")`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelReplace {
    pub expr: Box<Expr>,
    pub dst: String,
    pub replacement: String,
    pub src: String,
    /// A valid regular expression, anchored at both ends when applied.
    pub regex: String,
    pub span: Span,
}
