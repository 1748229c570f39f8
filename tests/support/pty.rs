#![allow(dead_code)] // each test binary uses only some of these helpers
//! Runs the real `taxon` binary in a pseudo-terminal and reads its screen through
//! a terminal emulator (vt100), as a person at a terminal would see it.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// Copies the bundled sample taxonomy to `to`, for a test to change freely.
pub fn copy_sample(to: &Path) {
    for entry in walkdir::WalkDir::new("sample-taxonomy") {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix("sample-taxonomy").unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A git repository at `taxonomy` holding the sample taxonomy in one signed-off
/// commit, its user Pty Tester <pty@example.com>; that commit's id. Call
/// `git_sandbox::isolate()` first.
pub fn sample_repository(taxonomy: &Path) -> git2::Oid {
    copy_sample(taxonomy);
    taxon::git::init_repository_with_files(taxonomy, "Initial taxonomy", None).unwrap();
    let repo = git2::Repository::open(taxonomy).unwrap();
    let mut config = repo.config().unwrap();
    config.set_str("user.name", "Pty Tester").unwrap();
    config.set_str("user.email", "pty@example.com").unwrap();
    repo.head().unwrap().peel_to_commit().unwrap().id()
}

/// Runs the `git` command in `repo`, cut off from the user's and the system's
/// config; its output.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let mut command = std::process::Command::new("git");
    command.current_dir(repo).args(args);
    stdout_of(command)
}

/// Runs `command` cut off from the user's and the system's git config; its output,
/// after asserting that it succeeded.
pub fn stdout_of(mut command: std::process::Command) -> String {
    let output = command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A condition on the screen that the reader checks after each piece of output,
/// and when it first held: the moment that output was read.
type Condition = Box<dyn Fn(&vt100::Screen) -> bool + Send>;

#[derive(Default)]
struct Watch {
    condition: Option<Condition>,
    held_at: Option<Instant>,
}

pub struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    watch: Arc<(Mutex<Watch>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    /// Starts `taxon` with `args` in a `cols` x `rows` terminal, with taxon's folders
    /// under `home` and the given extra environment.
    pub fn spawn(args: &[&str], home: &Path, env: &[(&str, &str)], cols: u16, rows: u16) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_taxon"));
        command.args(args);
        command.env("TERM", "xterm-256color");
        command.env("HOME", home);
        command.env("GIT_CONFIG_NOSYSTEM", "1");
        command.env("GIT_CONFIG_GLOBAL", "/dev/null");
        for dir in ["CONFIG", "DATA", "STATE", "CACHE"] {
            command.env(format!("TAXON_{dir}_DIR"), home.join(dir.to_lowercase()));
        }
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pair.slave.spawn_command(command).expect("start taxon");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("a pty reader");
        let watch = Arc::new((Mutex::new(Watch::default()), Condvar::new()));
        let (feed, log, watcher) = (Arc::clone(&parser), Arc::clone(&raw), Arc::clone(&watch));
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let read_at = Instant::now();
                let mut parser = feed.lock().expect("parser");
                parser.process(&buffer[..n]);
                log.lock().expect("log").extend_from_slice(&buffer[..n]);
                let (watch, held) = &*watcher;
                let mut watch = watch.lock().expect("watch");
                if watch.held_at.is_none()
                    && watch.condition.as_ref().is_some_and(|c| c(parser.screen()))
                {
                    watch.held_at = Some(read_at);
                    held.notify_all();
                }
            }
        });
        let writer = pair.master.take_writer().expect("a pty writer");
        Self {
            parser,
            raw,
            watch,
            writer,
            child,
            _master: pair.master,
        }
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    /// Whether the program is on the alternate screen.
    pub fn on_alternate_screen(&self) -> bool {
        self.parser
            .lock()
            .expect("parser")
            .screen()
            .alternate_screen()
    }

    /// Whether the program hid the cursor.
    pub fn cursor_hidden(&self) -> bool {
        self.parser.lock().expect("parser").screen().hide_cursor()
    }

    /// Whether the terminal echoes what is typed (off in raw mode).
    pub fn echoes(&self) -> bool {
        let termios: libc::termios = self._master.get_termios().expect("the pty's modes").into();
        termios.c_lflag & libc::ECHO != 0
    }

    /// Sends `signal` to the program.
    pub fn signal(&self, signal: libc::c_int) {
        let pid = self.pid().expect("a running program");
        let pid = libc::pid_t::try_from(pid).expect("a pid");
        // SAFETY: kill has no memory effects; the pid is our own child's.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill {pid}");
    }

    /// The program's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Everything the program wrote.
    pub fn output(&self) -> Vec<u8> {
        self.raw.lock().expect("log").clone()
    }

    /// Waits until the screen shows `text`; panics with the screen after `timeout`.
    pub fn wait_for(&self, text: &str, timeout: Duration) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "timed out waiting for {text:?}; the screen shows:\n{}",
            self.screen()
        );
    }

    /// Types bytes (keys) into the terminal.
    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Types `keys` and times them until the screen first shows `condition`: from
    /// the write to the moment the output that made it hold was read (the reader
    /// checks after every read, so the resolution is the reads', not a poll's).
    /// `None` if it did not hold within `timeout`; zero if it held before.
    pub fn time_keys(
        &mut self,
        keys: &str,
        condition: impl Fn(&vt100::Screen) -> bool + Send + 'static,
        timeout: Duration,
    ) -> Option<Duration> {
        let (watch, held) = &*self.watch;
        let start = Instant::now();
        {
            // In the reader's order: the screen, then the watch.
            let parser = self.parser.lock().expect("parser");
            let already = condition(parser.screen()).then_some(start);
            *watch.lock().expect("watch") = Watch {
                condition: Some(Box::new(condition)),
                held_at: already,
            };
        }
        self.writer.write_all(keys.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
        let (mut watch, _) = held
            .wait_timeout_while(watch.lock().expect("watch"), timeout, |w| {
                w.held_at.is_none()
            })
            .expect("watch");
        let held_at = watch.held_at.take();
        watch.condition = None;
        held_at.map(|at| at.saturating_duration_since(start))
    }

    /// Waits for the program to exit; its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                std::thread::sleep(Duration::from_millis(100)); // let the reader drain
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = self.child.kill();
        panic!("taxon did not exit; the screen shows:\n{}", self.screen());
    }
}
