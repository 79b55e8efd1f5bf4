//! Terminal input, read on a thread of its own (crossterm's reads block) and handed to the
//! console's loop over a bounded channel. It never runs inside a draw.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

use ratatui::crossterm::event::{self as term, KeyEvent, KeyEventKind};
use tokio::sync::mpsc;

/// Input from the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The terminal cannot be read any more.
    Failed(String),
}

/// Reads the terminal on a thread of its own until `stop` is set or the receiver is dropped.
pub fn spawn(stop: Arc<AtomicBool>) -> mpsc::Receiver<Input> {
    let (tx, rx) = mpsc::channel(64);
    let spawned = std::thread::Builder::new()
        .name("console-input".into())
        .spawn(move || {
            while !stop.load(Relaxed) {
                let input = match term::poll(Duration::from_millis(50)) {
                    Ok(false) => continue,
                    Ok(true) => match term::read() {
                        Ok(term::Event::Key(key)) if key.kind != KeyEventKind::Release => {
                            Input::Key(key)
                        }
                        Ok(term::Event::Resize(w, h)) => Input::Resize(w, h),
                        Ok(_) => continue,
                        Err(e) => Input::Failed(e.to_string()),
                    },
                    Err(e) => Input::Failed(e.to_string()),
                };
                let failed = matches!(input, Input::Failed(_));
                if tx.blocking_send(input).is_err() || failed {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        let (tx, rx) = mpsc::channel(1);
        let _ = tx.try_send(Input::Failed(e.to_string()));
        return rx;
    }
    rx
}
