//! A WebSocket to a path of this server, with its three handlers: opened, a text message, closed
//! (with the reason, or the close code when there is none). Dropping it closes the socket and
//! silences the handlers first. The live tail and the dashboards' live feed are built on it.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

pub struct Socket {
    pub socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Opens `ws(s)://<this host><path>`; `what` names it in errors.
    pub fn open(
        path: &str,
        what: &str,
        mut on_open: impl FnMut(&WebSocket) + 'static,
        on_text: impl Fn(String) + 'static,
        on_close: impl Fn(String) + 'static,
    ) -> Result<Socket, String> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = if location.protocol().unwrap_or_default() == "https:" { "wss" } else { "ws" };
        let host = location.host().map_err(|_| "no host in the page's address")?;
        let socket = WebSocket::new(&format!("{scheme}://{host}{path}"))
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("cannot open the {what}")))?;
        let on_open = {
            let socket = socket.clone();
            Closure::<dyn FnMut()>::new(move || on_open(&socket))
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                on_text(text);
            }
        });
        let what = what.to_string();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            let reason = ev.reason();
            on_close(if reason.is_empty() { format!("the {what} closed (code {})", ev.code()) } else { reason })
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket { socket, _on_open: on_open, _on_message: on_message, _on_close: on_close })
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}
