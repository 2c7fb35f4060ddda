//! The pipe pair of `--remote-debugging-pipe`: Chromium reads DevTools messages from
//! its fd 3 and writes them to its fd 4, each a JSON text ended by a NUL byte.

use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd, RawFd};

use tokio::{
    io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader},
    net::unix::pipe,
};
use zeroize::Zeroize as _;

/// Both pipes: our ends, and the browser's, to become its fds 3 and 4.
pub struct Pipes {
    /// we write here; the browser reads it as fd 3
    pub ours_write: OwnedFd,
    /// we read here; the browser writes it as fd 4
    pub ours_read: OwnedFd,
    /// the browser's fd 3 (above 10 until the spawn moves it)
    pub browser_reads: OwnedFd,
    /// the browser's fd 4
    pub browser_writes: OwnedFd,
}

fn pipe_pair() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both were just opened and are owned by nobody else
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// `fd` moved to a number of at least 10 (close-on-exec), so that the child's
/// `dup2` onto 3 and 4 can never overwrite one with the other.
fn high(fd: OwnedFd) -> std::io::Result<OwnedFd> {
    // SAFETY: fcntl duplicates a descriptor we own
    let new = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    if new < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor, ours alone
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

impl Pipes {
    /// Opens both pipes.
    pub fn open() -> std::io::Result<Self> {
        let (browser_reads, ours_write) = pipe_pair()?;
        let (ours_read, browser_writes) = pipe_pair()?;
        Ok(Self {
            ours_write,
            ours_read,
            browser_reads: high(browser_reads)?,
            browser_writes: high(browser_writes)?,
        })
    }
}

/// Our writing end.
pub struct Writer(pipe::Sender);

/// Our reading end, split into messages.
pub struct Reader {
    inner: BufReader<pipe::Receiver>,
}

/// Wraps our ends for tokio (non-blocking).
pub fn ends(write: OwnedFd, read: OwnedFd) -> std::io::Result<(Writer, Reader)> {
    let writer = pipe::Sender::from_owned_fd(write)?;
    let reader = pipe::Receiver::from_owned_fd(read)?;
    Ok((
        Writer(writer),
        Reader {
            inner: BufReader::with_capacity(64 * 1024, reader),
        },
    ))
}

impl Writer {
    /// Writes one message and its NUL; the bytes are wiped once written (a
    /// `Network.setCookies` message carries the session's cookie values).
    pub async fn send(&mut self, mut message: Vec<u8>) -> std::io::Result<()> {
        message.push(0);
        let written = self.0.write_all(&message).await;
        message.zeroize();
        written
    }
}

impl Reader {
    /// The next message, without its NUL; `None` once the browser closed its end.
    pub async fn next(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut message = Vec::new();
        let n = self.inner.read_until(0, &mut message).await?;
        if n == 0 {
            return Ok(None);
        }
        if message.last() == Some(&0) {
            message.pop();
        }
        Ok(Some(message))
    }
}
