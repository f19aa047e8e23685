//! A timer that interrupts a run at its timeout.

use std::sync::mpsc;
use std::time::Duration;

/// Interrupts every store of `engine` (whose config has
/// `epoch_interruption(true)` and whose stores have
/// `set_epoch_deadline(1)`) once `timeout` has passed, unless dropped first.
pub struct Watchdog {
    cancel: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    pub fn start(engine: &wasmtime::Engine, timeout: Duration) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        let engine = engine.clone();
        let thread = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
                engine.increment_epoch();
            }
        });
        Watchdog {
            cancel: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.cancel.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
