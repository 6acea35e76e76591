//! nginx configuration: directives with their arguments and blocks, each with its line.
//!
//! A small recursive-descent parser of our own rather than a crate: `nginx-config` knows a
//! fixed set of directives and rejects the rest (every third-party module's), and the
//! younger parsers pull in a syntax-tree framework for what is a three-token grammar
//! (word, `;`, `{ }`). This one follows nginx's own tokenizer (`ngx_conf_read_token`):
//! `#` starts a comment only where a word could start, quotes group a word, a backslash
//! escapes the next character, and `${var}` may sit inside a word. `include` is kept as a
//! directive and never followed: a rule sees one file at a time.
//!
//! A syntax error is recorded with its line and parsing goes on, so what parsed is still
//! checked: a stray `}` is dropped, a missing `}` closes the block at the end of the file.

use std::ops::Range;

/// One directive: `name args...;` or `name args... { block }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    pub name: String,
    /// Unquoted and unescaped.
    pub args: Vec<String>,
    /// 1-based line of the name.
    pub line: usize,
    /// From the name to the `;` or `{`, both included.
    pub range: Range<usize>,
    /// The directives inside `{ }`; `None` for a simple directive.
    pub block: Option<Vec<Directive>>,
}

impl Directive {
    /// The directives of the block, empty for a simple directive.
    pub fn children(&self) -> &[Directive] {
        self.block.as_deref().unwrap_or(&[])
    }

    /// The first argument, lowercased (nginx keywords are case-insensitive).
    pub fn first_arg(&self) -> Option<String> {
        self.args.first().map(|a| a.to_ascii_lowercase())
    }
}

/// A parsed file.
#[derive(Debug, Default)]
pub struct NginxConf {
    /// The top-level directives (the main context).
    pub directives: Vec<Directive>,
    /// Syntax errors: 1-based line and message.
    pub errors: Vec<(usize, String)>,
}

impl NginxConf {
    /// The files this one includes, with the line of each `include` (anywhere in the
    /// tree); they are not read.
    pub fn includes(&self) -> Vec<(&str, usize)> {
        let mut out = Vec::new();
        walk(&self.directives, &mut |d| {
            if let ("include", Some(arg)) = (d.name.as_str(), d.args.first()) {
                out.push((arg.as_str(), d.line));
            }
        });
        out
    }
}

/// Calls `f` on every directive of `list` and of the blocks inside, in file order.
pub fn walk<'a>(list: &'a [Directive], f: &mut impl FnMut(&'a Directive)) {
    for d in list {
        f(d);
        walk(d.children(), f);
    }
}

/// Blocks nested deeper than this are a syntax error, not a stack overflow.
const MAX_DEPTH: usize = 64;

/// Parses `text`; never fails (see the module doc for what happens to errors).
pub fn parse(text: &str) -> NginxConf {
    let mut parser = Parser {
        lexer: Lexer::new(text),
        errors: Vec::new(),
    };
    let directives = parser.block(None, 0);
    NginxConf {
        directives,
        errors: parser.errors,
    }
}

#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Semicolon,
    Open,
    Close,
}

struct Lexed {
    token: Token,
    start: usize,
    end: usize,
    line: usize,
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    errors: Vec<(usize, String)>,
}

impl Parser<'_> {
    /// Directives up to the `}` closing a block opened on `open_line` (or the end of the
    /// file at the top level, `None`).
    fn block(&mut self, open_line: Option<usize>, depth: usize) -> Vec<Directive> {
        let mut out = Vec::new();
        // The words of the directive being read: name first.
        let mut words: Vec<Lexed> = Vec::new();
        loop {
            let Some(lexed) = self.lexer.next() else {
                if let Some(first) = words.first() {
                    self.error(first.line, "directive is not ended by `;`");
                }
                if let Some(line) = open_line {
                    self.error(line, "block is not closed by `}`");
                }
                return out;
            };
            match lexed.token {
                Token::Word(_) => words.push(lexed),
                Token::Semicolon => {
                    if words.is_empty() {
                        self.error(lexed.line, "unexpected `;`");
                        continue;
                    }
                    out.push(directive(std::mem::take(&mut words), lexed.end, None));
                }
                Token::Open => {
                    if words.is_empty() {
                        self.error(lexed.line, "block without a directive name");
                    }
                    let inner = if depth >= MAX_DEPTH {
                        self.error(lexed.line, "blocks nested too deep; the rest is skipped");
                        self.lexer.skip_block();
                        Vec::new()
                    } else if words.first().is_some_and(|w| is_raw_block(&w.token)) {
                        // Lua (OpenResty `*_by_lua_block`) is not nginx syntax.
                        self.lexer.skip_block();
                        Vec::new()
                    } else {
                        self.block(Some(lexed.line), depth + 1)
                    };
                    if !words.is_empty() {
                        out.push(directive(
                            std::mem::take(&mut words),
                            lexed.end,
                            Some(inner),
                        ));
                    }
                }
                Token::Close => {
                    if let Some(first) = words.first() {
                        self.error(first.line, "directive is not ended by `;`");
                        words.clear();
                    }
                    if open_line.is_some() {
                        return out;
                    }
                    self.error(lexed.line, "unexpected `}`");
                }
            }
        }
    }

    fn error(&mut self, line: usize, message: &str) {
        self.errors.push((line, message.to_string()));
    }
}

fn is_raw_block(name: &Token) -> bool {
    matches!(name, Token::Word(w) if w.ends_with("_by_lua_block"))
}

/// Builds a directive from its words (at least one) ending at byte `end`.
fn directive(words: Vec<Lexed>, end: usize, block: Option<Vec<Directive>>) -> Directive {
    let (start, line) = words.first().map(|w| (w.start, w.line)).unwrap_or((end, 0));
    let mut texts = words.into_iter().filter_map(|w| match w.token {
        Token::Word(text) => Some(text),
        _ => None,
    });
    let name = texts.next().unwrap_or_default();
    Directive {
        name,
        args: texts.collect(),
        line,
        range: start..end,
        block,
    }
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            pos: 0,
            line: 1,
        }
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn next(&mut self) -> Option<Lexed> {
        self.skip_space_and_comments();
        let (start, line) = (self.pos, self.line);
        let token = match self.peek()? {
            ';' => {
                self.bump();
                Token::Semicolon
            }
            '{' => {
                self.bump();
                Token::Open
            }
            '}' => {
                self.bump();
                Token::Close
            }
            q @ ('"' | '\'') => {
                self.bump();
                Token::Word(self.quoted(q))
            }
            _ => Token::Word(self.bare()),
        };
        Some(Lexed {
            token,
            start,
            end: self.pos,
            line,
        })
    }

    fn skip_space_and_comments(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.bump();
            } else if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else {
                return;
            }
        }
    }

    /// A quoted word after its opening quote, through the closing one (or the end of the
    /// file, leniently).
    fn quoted(&mut self, quote: char) -> String {
        let mut out = String::new();
        while let Some(c) = self.bump() {
            match c {
                '\\' => self.escape(&mut out),
                c if c == quote => break,
                c => out.push(c),
            }
        }
        out
    }

    /// An unquoted word: up to whitespace, `;`, `{` or `}`, except `${name}`.
    fn bare(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || matches!(c, ';' | '{' | '}') {
                break;
            }
            self.bump();
            match c {
                '\\' => self.escape(&mut out),
                '$' if self.peek() == Some('{') => {
                    out.push('$');
                    while let Some(c) = self.bump() {
                        out.push(c);
                        if c == '}' || c == '\n' {
                            break;
                        }
                    }
                }
                c => out.push(c),
            }
        }
        out
    }

    /// The character after a backslash, as nginx reads it: `\t`, `\r`, `\n`, a quote and
    /// a backslash stand for themselves; any other pair is kept as written.
    fn escape(&mut self, out: &mut String) {
        match self.bump() {
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(c @ ('"' | '\'' | '\\')) => out.push(c),
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
            None => out.push('\\'),
        }
    }

    /// Skips to the `}` matching an already read `{`, counting nested braces and skipping
    /// quoted strings and comments (a close match for Lua code).
    fn skip_block(&mut self) {
        let mut depth = 1usize;
        while let Some(c) = self.bump() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                '"' | '\'' => {
                    self.quoted(c);
                }
                '-' if self.peek() == Some('-') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[Directive]) -> Vec<&str> {
        list.iter().map(|d| d.name.as_str()).collect()
    }

    #[test]
    fn directives_blocks_and_lines() {
        let conf = parse(
            "# main\nuser nginx;\nhttp {\n  server_tokens off; # trailing\n  server {\n    listen 443 ssl;\n  }\n}\n",
        );
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        assert_eq!(names(&conf.directives), ["user", "http"]);
        let http = &conf.directives[1];
        assert_eq!(http.line, 3);
        assert_eq!(names(http.children()), ["server_tokens", "server"]);
        let listen = &http.children()[1].children()[0];
        assert_eq!(
            (listen.line, listen.args.clone()),
            (6, vec!["443".into(), "ssl".into()])
        );
    }

    #[test]
    fn quotes_escapes_variables_and_hashes_inside_words() {
        let conf = parse(
            "add_header X-A \"a \\\"b\\\" ; { } # c\" 'd';\nset $x ${host}path;\nlocation ~ ^/a#b$ { return 404; }\n",
        );
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        let d = &conf.directives;
        assert_eq!(d[0].args, ["X-A", "a \"b\" ; { } # c", "d"]);
        assert_eq!(d[1].args, ["$x", "${host}path"]);
        assert_eq!(d[2].args, ["~", "^/a#b$"]);
        assert_eq!(names(d[2].children()), ["return"]);
    }

    #[test]
    fn includes_are_recorded_not_followed() {
        let conf = parse("http {\n  include /etc/nginx/conf.d/*.conf;\n}\n");
        assert_eq!(conf.includes(), [("/etc/nginx/conf.d/*.conf", 2)]);
    }

    #[test]
    fn errors_are_recorded_and_the_rest_still_parses() {
        let conf = parse("}\nserver {\n  listen 80\n}\nserver {\n  server_tokens on;\n");
        assert_eq!(
            conf.errors,
            [
                (1, "unexpected `}`".to_string()),
                (3, "directive is not ended by `;`".to_string()),
                (5, "block is not closed by `}`".to_string()),
            ]
        );
        assert_eq!(names(&conf.directives), ["server", "server"]);
        assert_eq!(names(conf.directives[1].children()), ["server_tokens"]);
    }

    #[test]
    fn lua_blocks_are_skipped_whole() {
        let conf = parse(
            "content_by_lua_block {\n  ngx.say(\"}\") -- }\n  if x then end\n}\nserver_tokens off;\n",
        );
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        assert_eq!(
            names(&conf.directives),
            ["content_by_lua_block", "server_tokens"]
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "a {".repeat(10_000), "}".repeat(10_000));
        let conf = parse(&text);
        assert!(!conf.errors.is_empty());
    }
}
