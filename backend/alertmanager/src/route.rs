//! The routing tree (`dispatch/route.go`): inherited options, `continue` matching, route keys, group labels.

use std::collections::BTreeSet;

use crate::labels::{LabelSet, label_set_string};
use crate::matchers::Matchers;

/// Lookout's extension: notify `receiver` too when a firing group stays unacknowledged for `after_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub after_ms: i64,
    pub receiver: String,
}

/// What a route node hands to its groups; children start from their parent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteOpts {
    pub receiver: String,
    pub group_by: BTreeSet<String>,
    /// `group_by: ['...']`: every label of the alert is a group label.
    pub group_by_all: bool,
    pub group_wait_ms: i64,
    pub group_interval_ms: i64,
    pub repeat_interval_ms: i64,
    /// Taken from the node itself only, never inherited.
    pub mute_time_intervals: Vec<String>,
    /// Taken from the node itself only, never inherited.
    pub active_time_intervals: Vec<String>,
    /// Inherited unless the node lists its own.
    pub escalate: Vec<Escalation>,
}

impl Default for RouteOpts {
    fn default() -> Self {
        RouteOpts {
            receiver: String::new(),
            group_by: BTreeSet::new(),
            group_by_all: false,
            group_wait_ms: 30_000,
            group_interval_ms: 300_000,
            repeat_interval_ms: 4 * 3_600_000,
            mute_time_intervals: Vec::new(),
            active_time_intervals: Vec::new(),
            escalate: Vec::new(),
        }
    }
}

/// A node's index in its `RouteTree`; the root is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteId(pub usize);

#[derive(Debug, Clone)]
pub struct Route {
    pub matchers: Matchers,
    pub continue_matching: bool,
    pub opts: RouteOpts,
    pub children: Vec<RouteId>,
    /// `Route.Key()`: the parent's key, `/`, this node's matchers (`{}` at the root).
    pub key: String,
}

/// The whole tree, stored flat so groups can refer to routes by id.
#[derive(Debug, Clone)]
pub struct RouteTree {
    nodes: Vec<Route>,
}

impl RouteTree {
    /// A tree of just the root.
    pub(crate) fn with_root(matchers: Matchers, opts: RouteOpts) -> Self {
        let key = matchers.to_string();
        RouteTree { nodes: vec![Route { matchers, continue_matching: false, opts, children: Vec::new(), key }] }
    }

    /// Adds a child under `parent` and returns its id.
    pub(crate) fn add_child(
        &mut self,
        parent: RouteId,
        matchers: Matchers,
        continue_matching: bool,
        opts: RouteOpts,
    ) -> RouteId {
        let id = RouteId(self.nodes.len());
        let key = format!("{}/{}", self.nodes[parent.0].key, matchers);
        self.nodes.push(Route { matchers, continue_matching, opts, children: Vec::new(), key });
        self.nodes[parent.0].children.push(id);
        id
    }

    pub fn root(&self) -> RouteId {
        RouteId(0)
    }

    /// The node for an id this tree handed out (ids from another tree may panic).
    pub fn get(&self, id: RouteId) -> &Route {
        &self.nodes[id.0]
    }

    /// The route, if this tree has it (an id from before a reload may not).
    pub fn try_get(&self, id: RouteId) -> Option<&Route> {
        self.nodes.get(id.0)
    }

    /// All nodes in depth-first pre-order (the order `amtool config routes` prints).
    pub fn ids(&self) -> impl Iterator<Item = RouteId> {
        (0..self.nodes.len()).map(RouteId)
    }

    /// `Route.Match`: the deepest matching nodes, following `continue` across siblings.
    pub fn matches(&self, labels: &LabelSet) -> Vec<RouteId> {
        self.match_from(self.root(), labels)
    }

    fn match_from(&self, id: RouteId, labels: &LabelSet) -> Vec<RouteId> {
        let node = self.get(id);
        if !node.matchers.matches(labels) {
            return Vec::new();
        }
        let mut all = Vec::new();
        for child in &node.children {
            let found = self.match_from(*child, labels);
            let matched = !found.is_empty();
            all.extend(found);
            if matched && !self.get(*child).continue_matching {
                break;
            }
        }
        if all.is_empty() {
            all.push(id);
        }
        all
    }

    /// The receivers an alert with these labels goes to, in match order (duplicates kept).
    pub fn receivers(&self, labels: &LabelSet) -> Vec<String> {
        self.matches(labels).into_iter().map(|id| self.get(id).opts.receiver.clone()).collect()
    }

    /// The alert's labels that the route groups by.
    pub fn group_labels(&self, id: RouteId, labels: &LabelSet) -> LabelSet {
        let opts = &self.get(id).opts;
        if opts.group_by_all {
            return labels.clone();
        }
        labels.iter().filter(|(k, _)| opts.group_by.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// The aggregation group key: `<route key>:<group labels>`.
    pub fn group_key(&self, id: RouteId, group_labels: &LabelSet) -> String {
        format!("{}:{}", self.get(id).key, label_set_string(group_labels))
    }
}
