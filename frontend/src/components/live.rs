//! The page's one live connection (`/api/lookout/live`): it sends the page's queries, and
//! reports each round of results the server pushes, until dropped. New queries (another range,
//! another variable) go over the same socket.

use std::cell::RefCell;
use std::rc::Rc;

use lookout_types::live::{LiveRequest, LiveRound};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What the socket reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    Round(LiveRound),
    Closed(String),
}

/// An open live connection; dropping it closes the socket and silences its handlers.
pub struct LiveFeed {
    socket: WebSocket,
    /// The request to send once the socket opens (the latest one wins).
    pending: Rc<RefCell<Option<String>>>,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl LiveFeed {
    pub fn open(report: impl Fn(LiveEvent) + 'static) -> Result<LiveFeed, String> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = if location.protocol().unwrap_or_default() == "https:" { "wss" } else { "ws" };
        let host = location.host().map_err(|_| "no host in the page's address")?;
        let socket = WebSocket::new(&format!("{scheme}://{host}/api/lookout/live"))
            .map_err(|e| e.as_string().unwrap_or_else(|| "cannot open the live connection".into()))?;
        let report: Rc<dyn Fn(LiveEvent)> = Rc::new(report);
        let pending: Rc<RefCell<Option<String>>> = Rc::default();
        let on_open = {
            let (socket, pending) = (socket.clone(), pending.clone());
            Closure::<dyn FnMut()>::new(move || {
                if let Some(text) = pending.borrow_mut().take() {
                    let _ = socket.send_with_str(&text);
                }
            })
        };
        let on_message = {
            let report = report.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                if let Some(round) = ev.data().as_string().and_then(|text| serde_json::from_str(&text).ok()) {
                    report(LiveEvent::Round(round));
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            let reason = ev.reason();
            report(LiveEvent::Closed(if reason.is_empty() {
                format!("the live connection closed (code {})", ev.code())
            } else {
                reason
            }))
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(LiveFeed { socket, pending, _on_open: on_open, _on_message: on_message, _on_close: on_close })
    }

    /// Asks for these queries from now on (sent when the socket is open).
    pub fn ask(&self, request: &LiveRequest) {
        let Ok(text) = serde_json::to_string(request) else { return };
        if self.socket.ready_state() == WebSocket::OPEN {
            let _ = self.socket.send_with_str(&text);
        } else {
            *self.pending.borrow_mut() = Some(text);
        }
    }
}

impl Drop for LiveFeed {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}
