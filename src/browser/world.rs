//! Our own world in the page: every script of ours (`observe.js`, `settle.js`,
//! `snapshot.js`, the element look-ups) runs in an isolated world made with
//! `Page.createIsolatedWorld` for the current document. It shares the page's DOM
//! but not its globals or prototypes, so a page that wraps `querySelectorAll` or
//! `getBoundingClientRect` never sees our calls, and what we keep between looks
//! (the elements we may act on) lives in that world's globals, never in the page.
//!
//! A world lives as long as its document: a navigation of the main frame (seen as
//! `Page.frameNavigated`) or a call that finds its context gone makes a new one.

use std::sync::{Arc, Mutex};

use chromiumoxide_cdp::cdp::{
    browser_protocol::page::{CreateIsolatedWorldParams, EventFrameNavigated},
    js_protocol::runtime::{EvaluateParams, ExceptionDetails, ExecutionContextId, RemoteObject},
};
use tokio::sync::broadcast;

use super::cdp::{CdpError, Event, Mode, Session};

/// The world's name as DevTools reports it (never visible to the page).
const WORLD_NAME: &str = "reader";

/// What an evaluation gave.
pub(super) enum Evaluated {
    /// its value (or the handle of its object)
    Value(Box<RemoteObject>),
    /// the script threw: its message (our own scripts' errors, no page data)
    Threw(String),
}

/// The isolated world of the page's current document.
pub(super) struct World {
    session: Session,
    /// the main frame's id (a page target's id)
    frame: String,
    /// `None`: no world made yet for this document
    context: Mutex<Option<ExecutionContextId>>,
    navigations: Mutex<broadcast::Receiver<Arc<Event>>>,
}

impl World {
    /// The world of `session`'s page, whose main frame is `frame`; subscribed to its
    /// navigations from now on.
    pub(super) fn new(session: Session, frame: String) -> Self {
        let navigations = Mutex::new(session.connection().subscribe());
        Self {
            session,
            frame,
            context: Mutex::new(None),
            navigations,
        }
    }

    /// The main frame's id (the page target's).
    pub(super) fn frame(&self) -> &str {
        &self.frame
    }

    /// Forgets the world when the main frame navigated since the last call.
    fn notice_navigations(&self) {
        let mut events = self.navigations.lock().expect("navigation events");
        loop {
            match events.try_recv() {
                Ok(event) => {
                    if event.method == EventFrameNavigated::IDENTIFIER
                        && event.session.as_deref() == Some(self.session.id())
                        && event.params["frame"]["id"].as_str() == Some(self.frame.as_str())
                    {
                        self.forget();
                    }
                }
                // missed some: a navigation may be among them
                Err(broadcast::error::TryRecvError::Lagged(_)) => self.forget(),
                Err(_) => return,
            }
        }
    }

    /// Drops the current world: the next call makes a new one.
    pub(super) fn forget(&self) {
        *self.context.lock().expect("world context") = None;
    }

    /// The world's context id (made now when there is none); `None` for the
    /// positive control, which runs in the page's own world.
    async fn context(&self) -> Result<Option<ExecutionContextId>, CdpError> {
        if self.session.connection().mode() == Mode::Control {
            return Ok(None);
        }
        self.notice_navigations();
        if let Some(id) = *self.context.lock().expect("world context") {
            return Ok(Some(id));
        }
        let made = self
            .session
            .call(
                CreateIsolatedWorldParams::builder()
                    .frame_id(self.frame.clone())
                    .world_name(WORLD_NAME)
                    .build()
                    .map_err(CdpError::Decode)?,
            )
            .await?;
        *self.context.lock().expect("world context") = Some(made.execution_context_id);
        Ok(Some(made.execution_context_id))
    }

    /// Evaluates `expression` in the world: by value, or (`by_value` false) as a
    /// handle; with `await_promise`, what its promise resolves to. A context that
    /// went away with its document is made anew once.
    pub(super) async fn evaluate(
        &self,
        expression: &str,
        await_promise: bool,
        by_value: bool,
    ) -> Result<Evaluated, CdpError> {
        let mut again = true;
        loop {
            let context = self.context().await?;
            let mut params = EvaluateParams::builder()
                .expression(expression)
                .return_by_value(by_value)
                .await_promise(await_promise);
            if let Some(id) = context {
                params = params.context_id(id);
            }
            let params = params.build().map_err(CdpError::Decode)?;
            match self.session.call(params).await {
                Ok(returned) => {
                    return Ok(match returned.exception_details.as_ref() {
                        Some(details) => Evaluated::Threw(thrown(details)),
                        None => Evaluated::Value(Box::new(returned.result)),
                    });
                }
                Err(CdpError::Protocol { message, .. })
                    if again && message.to_ascii_lowercase().contains("context") =>
                {
                    // the document went away under us: a new world for the new one
                    self.forget();
                    again = false;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// A thrown error's first line, at most 200 characters.
fn thrown(details: &ExceptionDetails) -> String {
    let text = details
        .exception
        .as_ref()
        .and_then(|e| e.description.as_deref())
        .unwrap_or(&details.text);
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}
