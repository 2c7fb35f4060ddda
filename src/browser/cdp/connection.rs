//! One task owns the pipe: it writes what callers queue, reads every message,
//! hands each answer to the call waiting for it by id, and broadcasts events. When
//! the pipe ends (the browser closed, crashed or was killed) every pending call
//! fails at once with [`CdpError::Closed`], and so does every later one: a dead
//! browser is never mistaken for a slow one.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use chromiumoxide_types::Command;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::lease::{SharedLease, allows};

use super::{
    CdpError,
    allowlist::{Mode, refusal},
    transport::{Reader, Writer},
};

/// An answer on its way to the call that waits for it.
type Reply = oneshot::Sender<Result<Value, CdpError>>;

/// A DevTools event (only the page's few: load, navigation).
#[derive(Debug)]
pub struct Event {
    /// e.g. `Page.loadEventFired`
    pub method: String,
    /// the flat session it came from
    pub session: Option<String>,
    /// its parameters
    pub params: Value,
}

struct Shared {
    mode: Mode,
    /// the lease the browser is driven under: no message is sent once it ran out
    /// (a worker woken past it touches nothing, reads included)
    lease: SharedLease,
    next_id: AtomicU64,
    /// the calls waiting for an answer; `None` once the pipe ended
    pending: Mutex<Option<HashMap<u64, Reply>>>,
    outgoing: mpsc::UnboundedSender<(u64, Vec<u8>)>,
    events: broadcast::Sender<Arc<Event>>,
    closed: CancellationToken,
}

/// The connection to one browser (cheap to clone).
#[derive(Clone)]
pub struct Connection {
    shared: Arc<Shared>,
}

/// A page's flat session on the connection.
#[derive(Clone)]
pub struct Session {
    conn: Connection,
    id: String,
}

#[derive(Serialize)]
struct Outgoing<'a, P: Serialize> {
    id: u64,
    method: &'a str,
    #[serde(rename = "sessionId", skip_serializing_if = "Option::is_none")]
    session: Option<&'a str>,
    params: &'a P,
}

#[derive(Deserialize)]
struct Incoming {
    id: Option<u64>,
    result: Option<Value>,
    error: Option<ProtocolError>,
    method: Option<String>,
    #[serde(rename = "sessionId")]
    session: Option<String>,
    params: Option<Value>,
}

#[derive(Deserialize)]
struct ProtocolError {
    code: i64,
    message: String,
}

/// Removes a call from the pending ones when it is given up (timeout, shutdown).
struct Waiting<'a> {
    shared: &'a Shared,
    id: u64,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        take_pending(self.shared, self.id);
    }
}

/// The call `id` waits for, taken out of the pending ones (`None`: answered, given
/// up, or the pipe ended).
fn take_pending(shared: &Shared, id: u64) -> Option<Reply> {
    shared
        .pending
        .lock()
        .expect("pending calls")
        .as_mut()
        .and_then(|map| map.remove(&id))
}

impl Connection {
    /// Starts the task that owns the pipe; it ends with the pipe. Nothing is sent
    /// once `lease` ran out.
    pub fn open(writer: Writer, reader: Reader, mode: Mode, lease: SharedLease) -> Self {
        let (outgoing, queued) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            mode,
            lease,
            next_id: AtomicU64::new(1),
            pending: Mutex::new(Some(HashMap::new())),
            outgoing,
            events: broadcast::channel(256).0,
            closed: CancellationToken::new(),
        });
        tokio::spawn(
            own_the_pipe(Arc::clone(&shared), writer, reader, queued)
                .instrument(tracing::debug_span!("devtools_connection")),
        );
        Self { shared }
    }

    /// Which browser this connection drives.
    pub fn mode(&self) -> Mode {
        self.shared.mode
    }

    /// A browser-level command.
    pub async fn call<C: Command>(&self, command: C) -> Result<C::Response, CdpError> {
        self.send(None, command).await
    }

    /// The events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.shared.events.subscribe()
    }

    /// Resolves once the pipe ended.
    pub async fn closed(&self) {
        self.shared.closed.cancelled().await;
    }

    /// Whether the pipe ended.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.is_cancelled()
    }

    /// A handle on the flat session `id`.
    pub fn session(&self, id: String) -> Session {
        Session {
            conn: self.clone(),
            id,
        }
    }

    async fn send<C: Command>(
        &self,
        session: Option<&str>,
        command: C,
    ) -> Result<C::Response, CdpError> {
        let method = command.identifier();
        let checked = match method.as_ref() {
            // the only methods whose parameters the allowlist reads
            "Runtime.evaluate" | "Runtime.callFunctionOn" | "Page.createIsolatedWorld" => {
                serde_json::to_value(&command).unwrap_or(Value::Null)
            }
            _ => Value::Null,
        };
        if let Some(why) = refusal(self.shared.mode, &method, &checked) {
            return Err(CdpError::Refused(why));
        }
        if !allows(&self.shared.lease) {
            return Err(CdpError::PastLease);
        }
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let message = serde_json::to_vec(&Outgoing {
            id,
            method: &method,
            session,
            params: &command,
        })
        .map_err(|e| CdpError::Decode(format!("unserializable {method}: {}", e.classify_name())))?;
        drop(command);
        let (reply, answer) = oneshot::channel();
        {
            let mut pending = self.shared.pending.lock().expect("pending calls");
            let Some(map) = pending.as_mut() else {
                return Err(CdpError::Closed);
            };
            map.insert(id, reply);
        }
        let _waiting = Waiting {
            shared: &self.shared,
            id,
        };
        if self.shared.outgoing.send((id, message)).is_err() {
            return Err(CdpError::Closed);
        }
        let value = answer.await.map_err(|_| CdpError::Closed)??;
        C::response_from_value(value).map_err(|e| {
            CdpError::Decode(format!(
                "{method}: line {}, column {}",
                e.line(),
                e.column()
            ))
        })
    }
}

/// serde_json's error class without its message (which can quote a value).
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "i/o",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        }
    }
}

impl Session {
    /// A command on this page.
    pub async fn call<C: Command>(&self, command: C) -> Result<C::Response, CdpError> {
        self.conn.send(Some(&self.id), command).await
    }

    /// The session id (events name it).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The connection it runs on.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// The task: writes what is queued, reads until the pipe ends, then fails every
/// pending call.
async fn own_the_pipe(
    shared: Arc<Shared>,
    mut writer: Writer,
    mut reader: Reader,
    mut queued: mpsc::UnboundedReceiver<(u64, Vec<u8>)>,
) {
    // writing runs beside reading, so that a large message the browser is slow to
    // take never stops us from reading what it says meanwhile
    let closed = shared.closed.clone();
    let lease = Arc::clone(&shared);
    let write = async move {
        while let Some((id, message)) = queued.recv().await {
            // the last look before the wire: a worker frozen with a message queued
            // wakes past its lease and must not send it
            if !allows(&lease.lease) {
                if let Some(reply) = take_pending(&lease, id) {
                    let _ = reply.send(Err(CdpError::PastLease));
                }
                continue;
            }
            if writer.send(message).await.is_err() {
                break;
            }
        }
    };
    let read = async {
        loop {
            match reader.next().await {
                Ok(Some(bytes)) => dispatch(&shared, &bytes),
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!(kind = ?e.kind(), "reading the DevTools pipe failed");
                    break;
                }
            }
        }
    };
    tokio::select! {
        () = write => {}
        () = read => {}
        () = closed.cancelled() => {}
    }
    let waiting = shared.pending.lock().expect("pending calls").take();
    for (_, reply) in waiting.into_iter().flatten() {
        let _ = reply.send(Err(CdpError::Closed));
    }
    shared.closed.cancel();
    tracing::debug!("the DevTools pipe ended");
}

/// One message from the browser: an answer to its call, or an event.
fn dispatch(shared: &Shared, bytes: &[u8]) {
    let Ok(message) = serde_json::from_slice::<Incoming>(bytes) else {
        tracing::debug!(bytes = bytes.len(), "an unreadable DevTools message");
        return;
    };
    if let Some(id) = message.id {
        if let Some(reply) = take_pending(shared, id) {
            let answer = match message.error {
                Some(e) => Err(CdpError::Protocol {
                    code: e.code,
                    message: e.message.chars().take(200).collect(),
                }),
                None => Ok(message.result.unwrap_or(Value::Null)),
            };
            let _ = reply.send(answer);
        }
    } else if let Some(method) = message.method {
        // nobody listening is fine
        let _ = shared.events.send(Arc::new(Event {
            method,
            session: message.session,
            params: message.params.unwrap_or(Value::Null),
        }));
    }
}

#[cfg(test)]
mod tests {
    use std::{
        os::fd::AsRawFd as _,
        time::{Duration, Instant},
    };

    use chromiumoxide_cdp::cdp::browser_protocol::browser::GetVersionParams;

    use super::*;
    use crate::{browser::cdp::transport::Pipes, lease::LeaseClock};

    /// What the browser's end of the pipe has received so far.
    fn received(fd: &std::os::fd::OwnedFd) -> String {
        // SAFETY: fcntl and read on a descriptor we own, into our buffer
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
        let mut buf = vec![0u8; 4096];
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        String::from_utf8_lossy(&buf[..usize::try_from(n).unwrap_or(0)]).into_owned()
    }

    #[tokio::test]
    async fn nothing_is_sent_once_the_lease_ran_out() {
        let pipes = Pipes::open().unwrap();
        let (writer, reader) =
            super::super::transport::ends(pipes.ours_write, pipes.ours_read).unwrap();
        let lease = SharedLease::default();
        *lease.lock().unwrap() = Some(LeaseClock::starting(
            Instant::now(),
            Duration::from_secs(60),
        ));
        let conn = Connection::open(writer, reader, Mode::Person, lease.clone());
        // while the lease holds, the call goes out (nobody answers it here)
        let sent = tokio::time::timeout(
            Duration::from_millis(200),
            conn.call(GetVersionParams::default()),
        )
        .await;
        assert!(sent.is_err(), "waits for the browser's answer");
        assert!(received(&pipes.browser_reads).contains("\"method\":\"Browser.getVersion\""));
        // a lease whose deadline passed (a worker woken past it): refused, not written
        *lease.lock().unwrap() = Some(LeaseClock::starting(
            Instant::now() - Duration::from_secs(10),
            Duration::from_secs(6),
        ));
        let refused = conn.call(GetVersionParams::default()).await;
        assert!(matches!(refused, Err(CdpError::PastLease)), "{refused:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            received(&pipes.browser_reads),
            "",
            "nothing reached the browser"
        );
    }
}
