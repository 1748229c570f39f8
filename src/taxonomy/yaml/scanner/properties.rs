//! Directives, anchors, aliases and tags as PyYAML's scanner reads them.

use super::{Scanner, SyntaxProblem, char_repr};
use crate::taxonomy::yaml::reader::{is_blank_or_end, is_break_or_end};
use crate::taxonomy::yaml::token::{Extra, Kind, Token};

/// The characters of anchor, alias, directive and tag-handle names.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// The characters PyYAML accepts in a tag's URI.
fn is_uri(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-;/?:@&=+$,_.!~*'()[]%".contains(c)
}

/// Whether `c` ends a directive's name or value, or a tag (`'\0 \r\n\x85\u2028\u2029'`).
fn ends_word(c: char) -> bool {
    c == ' ' || is_break_or_end(c)
}

impl<'a> Scanner<'a> {
    fn expected(&self, what: &str, found: char) -> SyntaxProblem {
        SyntaxProblem::new(
            format!("expected {what}, but found {}", char_repr(found)),
            self.reader.mark(),
        )
    }

    /// The run of name characters at the cursor, moved past.
    fn scan_word(&mut self) -> String {
        let from = self.reader.pointer();
        let end = self.reader.scan_while(is_word);
        self.reader.forward_on_line_to(end);
        self.reader.since(from).to_owned()
    }

    /// PyYAML's `scan_directive`: `%YAML`, `%TAG` or another directive, to its line end.
    pub(super) fn scan_directive(&mut self) -> Result<Token<'a>, SyntaxProblem> {
        let start = self.reader.mark();
        self.reader.forward();
        let name = self.scan_word();
        if name.is_empty() || !ends_word(self.reader.peek()) {
            return Err(self.expected("alphabetic or numeric character", self.reader.peek()));
        }
        let extra = match name.as_str() {
            "YAML" => Some(self.scan_yaml_directive_value()?),
            "TAG" => Some(self.scan_tag_directive_value()?),
            _ => None,
        };
        let end = self.reader.mark();
        if extra.is_none() {
            let line_end = self.reader.scan_while(|c| !is_break_or_end(c));
            self.reader.forward_on_line_to(line_end);
        }
        self.skip_to_line_end("expected a comment or a line break, but found")?;
        let mut token = Token::with_value(Kind::Directive, start, end, self.keep(&name));
        token.extra = extra.map(|extra| &*self.arena.alloc(extra));
        Ok(token)
    }

    fn skip_spaces(&mut self) {
        let end = self.reader.scan_while(|c| c == ' ');
        self.reader.forward_on_line_to(end);
    }

    fn scan_yaml_directive_value(&mut self) -> Result<Extra<'a>, SyntaxProblem> {
        self.skip_spaces();
        let major = self.scan_yaml_directive_number()?;
        if self.reader.peek() != '.' {
            return Err(self.expected("a digit or '.'", self.reader.peek()));
        }
        self.reader.forward();
        let minor = self.scan_yaml_directive_number()?;
        if !ends_word(self.reader.peek()) {
            return Err(self.expected("a digit or ' '", self.reader.peek()));
        }
        Ok(Extra::Yaml(major, minor))
    }

    /// A version number (saturating: only whether it is 1 matters).
    fn scan_yaml_directive_number(&mut self) -> Result<u64, SyntaxProblem> {
        if !self.reader.peek().is_ascii_digit() {
            return Err(self.expected("a digit", self.reader.peek()));
        }
        let from = self.reader.pointer();
        let end = self.reader.scan_while(|c| c.is_ascii_digit());
        self.reader.forward_on_line_to(end);
        Ok(self.reader.since(from).bytes().fold(0u64, |n, digit| {
            n.saturating_mul(10).saturating_add(u64::from(digit - b'0'))
        }))
    }

    fn scan_tag_directive_value(&mut self) -> Result<Extra<'a>, SyntaxProblem> {
        self.skip_spaces();
        let handle = self.scan_tag_handle()?;
        if self.reader.peek() != ' ' {
            return Err(self.expected("' '", self.reader.peek()));
        }
        self.skip_spaces();
        let prefix = self.scan_tag_uri()?;
        if !ends_word(self.reader.peek()) {
            return Err(self.expected("' '", self.reader.peek()));
        }
        Ok(Extra::TagDirective(self.keep(&handle), self.keep(&prefix)))
    }

    /// PyYAML's `scan_anchor`: `&name` or `*name`, the name of ASCII letters, digits,
    /// `-` and `_`, followed by a blank, a break, the end or one of `?:,]}%@`` ` ``.
    pub(super) fn scan_anchor(&mut self, kind: Kind) -> Result<Token<'a>, SyntaxProblem> {
        let start = self.reader.mark();
        self.reader.forward();
        let name = self.scan_word();
        let ch = self.reader.peek();
        if name.is_empty() || !(is_blank_or_end(ch) || "?:,]}%@`".contains(ch)) {
            return Err(self.expected("alphabetic or numeric character", ch));
        }
        let end = self.reader.mark();
        Ok(Token::with_value(kind, start, end, self.keep(&name)))
    }

    /// PyYAML's `scan_tag`: `!<uri>`, a lone `!`, `!suffix` or `!handle!suffix`.
    pub(super) fn scan_tag(&mut self) -> Result<Token<'a>, SyntaxProblem> {
        let start = self.reader.mark();
        let next = self.reader.peek_at(1);
        let (handle, suffix) = if next == '<' {
            self.reader.forward_by(2);
            let suffix = self.scan_tag_uri()?;
            if self.reader.peek() != '>' {
                return Err(self.expected("'>'", self.reader.peek()));
            }
            self.reader.forward();
            (None, suffix)
        } else if is_blank_or_end(next) {
            self.reader.forward();
            (None, "!".to_owned())
        } else {
            // A second `!` before the next blank makes a handle.
            let rest = &self.reader.text()[self.reader.pointer() + 1..];
            let use_handle = rest
                .chars()
                .take_while(|&c| !ends_word(c))
                .any(|c| c == '!');
            let handle = if use_handle {
                self.scan_tag_handle()?
            } else {
                self.reader.forward();
                "!".to_owned()
            };
            (Some(handle), self.scan_tag_uri()?)
        };
        if !ends_word(self.reader.peek()) {
            return Err(self.expected("' '", self.reader.peek()));
        }
        let end = self.reader.mark();
        let mut token = Token::with_value(Kind::Tag, start, end, self.keep(&suffix));
        let handle = handle.map(|handle| self.keep(&handle));
        token.extra = Some(&*self.arena.alloc(Extra::Handle(handle)));
        Ok(token)
    }

    /// PyYAML's `scan_tag_handle`: `!`, `!!` or `!name!`.
    fn scan_tag_handle(&mut self) -> Result<String, SyntaxProblem> {
        if self.reader.peek() != '!' {
            return Err(self.expected("'!'", self.reader.peek()));
        }
        let from = self.reader.pointer();
        self.reader.forward();
        if self.reader.peek() != ' ' {
            let end = self.reader.scan_while(is_word);
            self.reader.forward_on_line_to(end);
            if self.reader.peek() != '!' {
                return Err(self.expected("'!'", self.reader.peek()));
            }
            self.reader.forward();
        }
        Ok(self.reader.since(from).to_owned())
    }

    /// PyYAML's `scan_tag_uri`, `%`-escapes decoded as UTF-8.
    fn scan_tag_uri(&mut self) -> Result<String, SyntaxProblem> {
        let mut uri = String::new();
        let mut any = false;
        loop {
            let from = self.reader.pointer();
            let end = self.reader.scan_while(|c| is_uri(c) && c != '%');
            if end > from {
                self.reader.forward_on_line_to(end);
                uri.push_str(self.reader.since(from));
                any = true;
            }
            if self.reader.peek() != '%' {
                break;
            }
            any = true;
            uri.push_str(&self.scan_uri_escapes()?);
        }
        if !any {
            return Err(self.expected("URI", self.reader.peek()));
        }
        Ok(uri)
    }

    fn scan_uri_escapes(&mut self) -> Result<String, SyntaxProblem> {
        let mark = self.reader.mark();
        let mut codes = Vec::new();
        while self.reader.peek() == '%' {
            self.reader.forward();
            for k in 0..2 {
                let digit = self.reader.peek_at(k);
                if !digit.is_ascii_hexdigit() {
                    return Err(
                        self.expected("URI escape sequence of 2 hexadecimal numbers", digit)
                    );
                }
            }
            let from = self.reader.pointer();
            let hex = &self.reader.text()[from..from + 2];
            codes.push(u8::from_str_radix(hex, 16).unwrap_or_default());
            self.reader.forward_by(2);
        }
        String::from_utf8(codes).map_err(|e| {
            SyntaxProblem::new(
                format!(
                    "'utf-8' codec can't decode byte at position {}: invalid data",
                    e.utf8_error().valid_up_to()
                ),
                mark,
            )
        })
    }
}
