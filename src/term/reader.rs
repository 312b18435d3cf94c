//! The terminal in raw mode for the whole run, and the thread that reads
//! it: every key is stamped with the moment it was read and sent over a
//! channel, so the prompter can wait for a key with a timeout and tell a
//! key typed ahead from one typed at the screen up now.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use console::Key;
use nix::sys::termios::{self, FlushArg, SetArg, Termios};

use super::input;
use crate::interrupt;

/// The terminal's modes before the run made it raw, put back when the run
/// ends however it ends: a process that exits in raw mode would leave the
/// user's shell with no echo.
static SAVED_MODES: Mutex<Option<Termios>> = Mutex::new(None);

/// Set once the run is over: the reader passes on no more keys.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back as the run found it, and drops what was typed
/// during the run but not read: it was meant for relcheck, not the shell.
pub fn restore_terminal() {
    STOPPING.store(true, Ordering::SeqCst);
    if let Ok(saved) = SAVED_MODES.lock()
        && let Some(modes) = saved.as_ref()
    {
        let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSANOW, modes);
        let _ = termios::tcflush(std::io::stdin(), FlushArg::TCIFLUSH);
    }
}

/// Drops what the terminal holds unread.
pub fn flush_input() {
    let _ = termios::tcflush(std::io::stdin(), FlushArg::TCIFLUSH);
}

/// A key and when the reader had it.
pub struct Stamped {
    pub at: Instant,
    pub key: std::io::Result<Key>,
}

/// Makes the terminal raw and starts reading it. `flag` is the run's
/// interruption flag.
pub fn start(flag: Arc<AtomicBool>) -> Receiver<Stamped> {
    // Raw for the whole run, so no key is ever echoed or turned into a
    // signal between two reads; TCSAFLUSH drops what was typed before.
    if let (Ok(modes), Ok(mut saved)) = (termios::tcgetattr(std::io::stdin()), SAVED_MODES.lock()) {
        let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSAFLUSH, &input::raw(&modes));
        *saved = Some(modes);
    }
    crate::interrupt::on_exit(restore_terminal);
    let (sender, keys) = mpsc::channel();
    std::thread::spawn(move || read_keys(&sender, &flag));
    keys
}

/// Every key, stamped when it was read. Ctrl-C while a command runs stops
/// the command and goes no further; otherwise it, or a terminal that went
/// away, sets the run's flag and is passed on.
fn read_keys(sender: &Sender<Stamped>, flag: &AtomicBool) {
    use std::io::Read;
    // As large as stdin's own buffer, so reads go straight to the terminal.
    let mut buffer = vec![0; 8192];
    let mut carry = Vec::new();
    let mut stdin = std::io::stdin();
    while !STOPPING.load(Ordering::SeqCst) {
        let read = match stdin.read(&mut buffer) {
            Ok(0) => Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            other => other,
        };
        let at = Instant::now();
        if STOPPING.load(Ordering::SeqCst) {
            break;
        }
        let n = match read {
            Ok(n) => n,
            // EOF or EIO: the terminal went away (its window closed, the
            // ssh connection dropped) and perhaps no SIGHUP comes, as when
            // this is not the terminal's controlling process. The run ends
            // as it would on SIGHUP.
            Err(err) => {
                interrupt::stop(flag, interrupt::TERMINAL_CLOSED);
                let _ = sender.send(Stamped { at, key: Err(err) });
                break;
            }
        };
        carry.extend_from_slice(&buffer[..n]);
        let (keys, rest) = input::parse(&carry);
        carry = rest;
        for key in keys {
            if key == Key::CtrlC {
                if interrupt::in_command() {
                    interrupt::cancel_command();
                    continue;
                }
                interrupt::stop(flag, interrupt::CTRL_C);
            }
            if sender.send(Stamped { at, key: Ok(key) }).is_err() {
                return;
            }
        }
    }
}
