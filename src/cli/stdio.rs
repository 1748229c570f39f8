//! stdout and stderr for the subcommands: a closed stdout ends a command quietly, as
//! it does for git and ripgrep; a closed stderr is ignored; errors are printed with
//! their whole chain of causes.

use std::fmt;
use std::io::{self, Write};

use super::{EXIT_OK, EXIT_TROUBLE};

/// Writes one line on stdout (see the `out!` macro).
pub fn print_line(line: fmt::Arguments<'_>) -> io::Result<()> {
    writeln!(io::stdout().lock(), "{line}")
}

/// Writes one line on stderr, ignoring a closed stderr (see the `note!` macro).
pub fn note_line(line: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Whether `error` comes from writing to a pipe whose reader has gone.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// `error` and each of its causes, joined by `: ` (`what failed: why: why deeper`).
/// A cause whose text the message already holds is not repeated: many of the
/// library's errors spell their source in their own message.
pub fn chain_text(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// The exit code for a command that could not run, after saying why on stderr with
/// every cause (see [`chain_text`]). A closed stdout is not trouble: the reader has
/// what it wanted, so the command ends quietly with [`EXIT_OK`].
pub fn report(error: &anyhow::Error) -> u8 {
    if is_broken_pipe(error) {
        return EXIT_OK;
    }
    note_line(format_args!("taxon: {}", chain_text(error)));
    EXIT_TROUBLE
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn a_broken_pipe_anywhere_in_the_chain_ends_quietly() {
        let closed = Err::<(), _>(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("printing the queue")
            .unwrap_err();
        assert!(is_broken_pipe(&closed));
        assert_eq!(report(&closed), EXIT_OK);
        let other = Err::<(), _>(io::Error::from(io::ErrorKind::NotFound))
            .context("reading x")
            .unwrap_err();
        assert!(!is_broken_pipe(&other));
        assert_eq!(report(&other), EXIT_TROUBLE);
    }

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read x: {source}")]
    struct SaysItsSource {
        source: io::Error,
    }

    #[test]
    fn every_cause_is_said_once() {
        let error = anyhow::Error::new(io::Error::other("disk full"))
            .context("writing y")
            .context("saving the run");
        assert_eq!(chain_text(&error), "saving the run: writing y: disk full");
        let repeated = anyhow::Error::new(SaysItsSource {
            source: io::Error::other("denied"),
        });
        assert_eq!(chain_text(&repeated), "cannot read x: denied");
    }
}
