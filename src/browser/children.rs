//! The page's own workers and cross-site frames: each is attached as it starts and
//! held there (`Target.setAutoAttach` with `waitForDebuggerOnStart`), given the
//! same identity as the page, then let go (`Runtime.runIfWaitingForDebugger`), so no
//! script of theirs runs before it. A cross-site frame is a target of its own:
//! without this it read the host's `navigator.platform` and client hints, no
//! "Google Chrome" brand, and its requests said `Sec-CH-UA-Platform: "Linux"` beside
//! a Windows user agent (the sensor's cross-site frame found it). A dedicated worker
//! already shares the page's overrides but one: its `navigator.platform`, which no
//! message reaches (docs/security.md). A service worker (LinkedIn registers one)
//! never answers a call made while it is held: it is let go at once, untouched, and
//! every child is settled on its own task, so that one that does not answer cannot
//! keep the page's frames paused (the page's load waited forever on them). Nothing
//! is evaluated in a child and no domain is turned on.

use std::{sync::Arc, time::Duration};

use chromiumoxide_cdp::cdp::{
    browser_protocol::{
        emulation::{SetLocaleOverrideParams, SetUserAgentOverrideParams},
        target::{EventAttachedToTarget, SetAutoAttachParams},
    },
    js_protocol::runtime::RunIfWaitingForDebuggerParams,
};
use tokio::sync::broadcast::{Receiver, error::RecvError};
use tracing::Instrument as _;

use super::{
    cdp::{CdpError, Connection, Event, Session},
    identity::Identity,
};

/// From now on, every worker and cross-site frame `page` starts is held at its start
/// until `identity` is presented in it. Call before the first navigation.
pub(super) async fn present_in_children(
    conn: &Connection,
    page: &Session,
    identity: Identity,
) -> Result<(), CdpError> {
    // subscribed before the first child can start
    let events = conn.subscribe();
    tokio::spawn(follow(conn.clone(), events, Arc::new(identity)).in_current_span());
    hold_children(page).await
}

/// Children of `session` attach paused, and flat (their own session ids).
async fn hold_children(session: &Session) -> Result<(), CdpError> {
    session
        .call(
            SetAutoAttachParams::builder()
                .auto_attach(true)
                .wait_for_debugger_on_start(true)
                .flatten(true)
                .build()
                .map_err(CdpError::Decode)?,
        )
        .await
        .map(drop)
}

/// Each child as it attaches, until the browser is gone.
async fn follow(conn: Connection, mut events: Receiver<Arc<Event>>, identity: Arc<Identity>) {
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            () = conn.closed() => return,
        };
        match event {
            // a child of one of our sessions (the page, or a frame of it)
            Ok(event)
                if event.method == EventAttachedToTarget::IDENTIFIER && event.session.is_some() =>
            {
                let Ok(attached) =
                    serde_json::from_value::<EventAttachedToTarget>(event.params.clone())
                else {
                    tracing::debug!("an attached child without its session");
                    continue;
                };
                let child = conn.session(attached.session_id.inner().clone());
                // each child on its own: one that never answers (a service worker
                // asked what it does not support) must not hold the others paused
                let identity = identity.clone();
                tokio::spawn(
                    async move { settle_child(&child, &identity, attached).await }
                        .in_current_span(),
                );
            }
            Ok(_) => {}
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "DevTools events were missed while following the page's children"
                );
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// How long a child's call may take before it is let go without it.
const CHILD_CALL: Duration = Duration::from_secs(5);

/// One attached child: the identity presented where a target takes it (frames and
/// dedicated workers; a service or shared worker is the browser's, and a call it does
/// not support is never answered), then let go, whatever became of that.
async fn settle_child(child: &Session, identity: &Identity, attached: EventAttachedToTarget) {
    let kind = attached.target_info.r#type;
    if matches!(kind.as_str(), "iframe" | "worker") {
        match tokio::time::timeout(CHILD_CALL * 2, present(child, identity, &kind)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::debug!(kind, error = %e, "a child kept part of the browser's own identity")
            }
            Err(_) => tracing::debug!(kind, "a child did not take the identity in time"),
        }
    }
    if attached.waiting_for_debugger {
        let run = tokio::time::timeout(
            CHILD_CALL,
            child.call(RunIfWaitingForDebuggerParams::default()),
        );
        match run.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::debug!(kind, error = %e, "a held child could not be let go"),
            Err(_) => tracing::debug!(kind, "a held child did not answer being let go"),
        }
    }
}

/// The identity's user agent, client hints and languages on one target (the page,
/// or a child of it).
pub(super) async fn override_user_agent(session: &Session, id: &Identity) -> Result<(), CdpError> {
    session
        .call(
            SetUserAgentOverrideParams::builder()
                .user_agent(id.user_agent.clone())
                .accept_language(id.accept_language.clone())
                .platform(id.platform.clone())
                .user_agent_metadata(id.metadata.clone())
                .build()
                .map_err(CdpError::Decode)?,
        )
        .await
        .map(drop)
}

/// The identity's locale (`Intl`) on one target.
pub(super) async fn override_locale(session: &Session, id: &Identity) -> Result<(), CdpError> {
    session
        .call(
            SetLocaleOverrideParams::builder()
                .locale(id.locale.clone())
                .build(),
        )
        .await
        .map(drop)
}

/// The page's identity in one child; a frame's own children are held too.
async fn present(child: &Session, id: &Identity, kind: &str) -> Result<(), CdpError> {
    override_user_agent(child, id).await?;
    let locale = override_locale(child, id).await;
    if kind == "iframe" {
        locale?;
        hold_children(child).await?;
    } else if let Err(e) = locale {
        // a worker already runs under the page's locale ("another locale override
        // is already in effect")
        tracing::debug!(kind, error = %e, "no locale override in this child");
    }
    Ok(())
}
