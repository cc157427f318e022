//! The page's one live connection (`/api/lookout/live`): it sends the page's queries, and
//! reports each round of results the server pushes, until dropped. New queries (another range,
//! another variable) go over the same socket.

use std::cell::RefCell;
use std::rc::Rc;

use lookout_types::live::{LiveRequest, LiveRound};
use web_sys::WebSocket;

use super::socket::Socket;

/// What the socket reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    Round(LiveRound),
    Closed(String),
}

/// An open live connection; dropping it closes the socket.
pub struct LiveFeed {
    socket: Socket,
    /// The request to send once the socket opens (the latest one wins).
    pending: Rc<RefCell<Option<String>>>,
}

impl LiveFeed {
    pub fn open(report: impl Fn(LiveEvent) + 'static) -> Result<LiveFeed, String> {
        let report: Rc<dyn Fn(LiveEvent)> = Rc::new(report);
        let pending: Rc<RefCell<Option<String>>> = Rc::default();
        let on_open = {
            let pending = pending.clone();
            move |socket: &WebSocket| {
                if let Some(text) = pending.borrow_mut().take() {
                    let _ = socket.send_with_str(&text);
                }
            }
        };
        let on_text = {
            let report = report.clone();
            move |text: String| {
                if let Ok(round) = serde_json::from_str(&text) {
                    report(LiveEvent::Round(round));
                }
            }
        };
        let on_close = move |why: String| report(LiveEvent::Closed(why));
        let socket = Socket::open("/api/lookout/live", "live connection", on_open, on_text, on_close)?;
        Ok(LiveFeed { socket, pending })
    }

    /// Asks for these queries from now on (sent when the socket is open).
    pub fn ask(&self, request: &LiveRequest) {
        let Ok(text) = serde_json::to_string(request) else { return };
        if self.socket.socket.ready_state() == WebSocket::OPEN {
            let _ = self.socket.socket.send_with_str(&text);
        } else {
            *self.pending.borrow_mut() = Some(text);
        }
    }
}
