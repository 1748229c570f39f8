//! The terminal input reader: a thread forwarding key presses and resizes, which
//! can be paused while an external editor owns the terminal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use tokio::sync::mpsc;

use super::msg::Msg;

/// How long the reader waits for input before checking whether it is paused.
const POLL: Duration = Duration::from_millis(200);

/// A handle on the input thread.
pub struct InputReader {
    paused: Arc<AtomicBool>,
    acknowledged: std_mpsc::Receiver<()>,
}

impl InputReader {
    /// Starts reading the terminal, sending messages to `tx`.
    pub fn spawn(tx: mpsc::UnboundedSender<Msg>) -> Self {
        let paused = Arc::new(AtomicBool::new(false));
        let (ack_tx, acknowledged) = std_mpsc::channel();
        let flag = Arc::clone(&paused);
        thread::spawn(move || {
            let mut acked = false;
            loop {
                if flag.load(Ordering::Acquire) {
                    if !acked {
                        acked = ack_tx.send(()).is_ok();
                    }
                    thread::park_timeout(POLL);
                    continue;
                }
                acked = false;
                match event::poll(POLL) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(error) => {
                        tracing::error!("polling the terminal failed: {error}");
                        return;
                    }
                }
                let msg = match event::read() {
                    Ok(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
                    Ok(TermEvent::Resize(width, height)) => Msg::Resize(width, height),
                    Ok(_) => continue,
                    Err(error) => {
                        tracing::error!("reading the terminal failed: {error}");
                        return;
                    }
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Self {
            paused,
            acknowledged,
        }
    }

    /// Stops reading and waits until the thread has let go of the terminal.
    pub fn pause(&self) {
        while self.acknowledged.try_recv().is_ok() {}
        self.paused.store(true, Ordering::Release);
        let _ = self.acknowledged.recv_timeout(POLL * 5);
    }

    /// Reads again.
    pub fn resume(&self) {
        self.paused.store(false, Ordering::Release);
    }
}
