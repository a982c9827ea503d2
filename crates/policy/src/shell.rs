//! Shell scripts into simple commands, with a real parser (tree-sitter-bash).
//!
//! Agents send shell strings (`sh -c '…'`). [`parse_script`] finds every
//! simple command in pipelines, lists, subshells, `$(…)` and backticks,
//! `if`/`for`/`while`/`case` bodies, functions and here-documents fed to a
//! shell, with its redirections. Words are evaluated the way the shell
//! would before running anything (quote removal, `$'\x72'`, backslashes);
//! a word whose value is only known at run time (`$X`, `$(…)`, `${IFS}`)
//! stays [`Word::Dynamic`]. Whatever cannot be analysed is listed in
//! [`Script::opaque`], and callers must treat the script as at least high
//! risk and never let an allow rule match it.

use tree_sitter::{Node, Parser};

/// Nesting limit for `sh -c` inside `sh -c` and here-documents.
const MAX_DEPTH: usize = 8;

/// One word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// Its value is known before the script runs.
    Literal(String),
    /// Its value depends on the run (expansions); the source text.
    Dynamic(String),
}

impl Word {
    /// The literal value, if known.
    pub fn literal(&self) -> Option<&str> {
        match self {
            Self::Literal(s) => Some(s),
            Self::Dynamic(_) => None,
        }
    }

    /// The value, or the source text for a dynamic word.
    pub fn text(&self) -> &str {
        match self {
            Self::Literal(s) | Self::Dynamic(s) => s,
        }
    }
}

/// What a redirection does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// `< file`
    Read,
    /// `> file`, `>| file`, `&> file`
    Write,
    /// `>> file`, `&>> file`
    Append,
    /// `<> file`
    ReadWrite,
    /// `2>&1` and friends: no file.
    Duplicate,
    /// `<<EOF` or `<<<word`: data, no file.
    Inline,
}

/// A redirection and its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// What it does.
    pub kind: RedirectKind,
    /// The file (or fd, or here-string).
    pub target: Word,
}

/// A simple command: argv and redirections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Program first. Leading `NAME=value` assignments are not included.
    pub argv: Vec<Word>,
    /// Redirections applying to it.
    pub redirects: Vec<Redirect>,
    /// `(pipeline id, position)` when it is part of a pipeline.
    pub pipeline: Option<(usize, usize)>,
    /// A here-document fed to it (its body).
    pub heredoc: Option<String>,
}

impl SimpleCommand {
    /// The program name as written, if literal.
    pub fn program(&self) -> Option<&str> {
        self.argv.first().and_then(Word::literal)
    }
}

/// The simple commands of a script and what could not be analysed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Every simple command found, in source order.
    pub commands: Vec<SimpleCommand>,
    /// Why (parts of) the script cannot be analysed; empty when it can.
    pub opaque: Vec<String>,
    /// Functions that call themselves (the fork-bomb shape).
    pub recursive_functions: Vec<String>,
    /// Every variable assignment, wherever it is: a command's prefix
    /// (`A=1 cmd`), a plain one (`A=1`), or `export`/`declare`/`local`/
    /// `readonly`/`typeset` (`export A=1`). Name and value.
    pub assignments: Vec<(String, Word)>,
    /// The names of the functions the script defines.
    pub functions: Vec<String>,
}

struct Walker<'a> {
    src: &'a [u8],
    out: Script,
    next_pipeline: usize,
    depth: usize,
    functions: Vec<String>,
    /// Aliases the script defines (`alias NAME='CODE'`): NAME at the start
    /// of a later command runs CODE with the rest of the words.
    aliases: Vec<(String, String)>,
    /// How deep the walk is in the syntax tree (bounded: a script of
    /// thousands of nested `$(` or `(` would overflow the stack).
    nest: usize,
}

/// Syntax-tree levels walked before the rest is left unanalysed.
const MAX_TREE_DEPTH: usize = 256;

thread_local! {
    /// One parser per thread, reused: making one costs more than parsing.
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

/// Parses `src` as a bash script.
pub fn parse_script(src: &str) -> Script {
    parse_at_depth(src, 0)
}

fn parse_at_depth(src: &str, depth: usize) -> Script {
    let mut script = Script::default();
    if depth > MAX_DEPTH {
        script
            .opaque
            .push("shell scripts nested too deeply to analyse".into());
        return script;
    }
    // tree-sitter-bash's C scanner crashes on some non-ASCII input (for
    // example `{` followed by U+10FFFF). Bash treats every byte above 127 as
    // part of a word, so the parser gets a copy with each such byte replaced
    // by an ASCII letter: same structure, same byte offsets. Words are read
    // from the original text.
    let ascii: Vec<u8> = src
        .bytes()
        .map(|b| if b.is_ascii() { b } else { b'a' })
        .collect();
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            if p.set_language(&tree_sitter_bash::LANGUAGE.into()).is_ok() {
                *slot = Some(p);
            }
        }
        slot.as_mut().and_then(|p| p.parse(&ascii, None))
    });
    let Some(tree) = tree else {
        script
            .opaque
            .push("the shell parser could not parse this".into());
        return script;
    };
    let root = tree.root_node();
    let mut w = Walker {
        src: src.as_bytes(),
        out: script,
        next_pipeline: 0,
        depth,
        functions: Vec::new(),
        nest: 0,
        aliases: Vec::new(),
    };
    if root.has_error() {
        w.out.opaque.push("the script does not parse".into());
    }
    w.node(root, None);
    w.out
}

/// Decodes the body of `$'…'`.
fn ansi_c(body: &str) -> String {
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut hex = String::new();
                while hex.len() < max && chars.peek().is_some_and(char::is_ascii_hexdigit) {
                    hex.extend(chars.next());
                }
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                } else {
                    out.push('\\');
                    out.push(e);
                    out.push_str(&hex);
                }
            }
            '0'..='7' => {
                let mut oct = String::from(e);
                while oct.len() < 3 && chars.peek().is_some_and(|c| ('0'..='7').contains(c)) {
                    oct.extend(chars.next());
                }
                out.extend(u32::from_str_radix(&oct, 8).ok().and_then(char::from_u32));
            }
            other => out.push(other),
        }
    }
    out
}

/// Removes backslash escapes from an unquoted word.
fn unescape_unquoted(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Removes the escapes that stay special inside double quotes.
fn unescape_double(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && chars
                .peek()
                .is_some_and(|n| matches!(n, '$' | '`' | '"' | '\\' | '\n'))
        {
            if let Some(n) = chars.next() {
                if n != '\n' {
                    out.push(n);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "mksh",
    "ash",
    "busybox sh",
    "fish",
    "csh",
    "tcsh",
    "yash",
    "posh",
    "rbash",
    "hush",
    "oksh",
    "loksh",
    "pdksh",
];

/// Whether `name` (a basename) is a POSIX-ish shell.
pub fn is_shell(name: &str) -> bool {
    SHELLS.contains(&name)
}

/// `word` quoted for a POSIX shell: as is when it is made only of
/// characters no shell treats specially, else in single quotes.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The basename of a program path.
pub fn basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

impl Walker<'_> {
    fn text(&self, n: Node<'_>) -> String {
        n.utf8_text(self.src).unwrap_or_default().to_owned()
    }

    fn children(n: Node<'_>) -> Vec<Node<'_>> {
        let mut c = n.walk();
        n.children(&mut c).collect()
    }

    /// Evaluates a word node; collects commands inside substitutions.
    fn word(&mut self, n: Node<'_>) -> Word {
        match n.kind() {
            "word" => Word::Literal(unescape_unquoted(&self.text(n))),
            "number" => Word::Literal(self.text(n)),
            "raw_string" => {
                let t = self.text(n);
                Word::Literal(
                    t.get(1..t.len().saturating_sub(1))
                        .unwrap_or_default()
                        .to_owned(),
                )
            }
            "ansi_c_string" => {
                let t = self.text(n);
                Word::Literal(ansi_c(
                    t.get(2..t.len().saturating_sub(1)).unwrap_or_default(),
                ))
            }
            "string" | "translated_string" => {
                let mut lit = String::new();
                let mut dynamic = false;
                for c in Self::children(n) {
                    match c.kind() {
                        "\"" | "$\"" => {}
                        "string_content" => lit.push_str(&unescape_double(&self.text(c))),
                        _ => {
                            dynamic = true;
                            self.substitutions(c);
                        }
                    }
                }
                if dynamic {
                    Word::Dynamic(self.text(n))
                } else {
                    Word::Literal(lit)
                }
            }
            "concatenation" => {
                let mut lit = String::new();
                let mut dynamic = false;
                for c in Self::children(n) {
                    match self.word(c) {
                        Word::Literal(s) => lit.push_str(&s),
                        Word::Dynamic(_) => dynamic = true,
                    }
                }
                if dynamic {
                    Word::Dynamic(self.text(n))
                } else {
                    Word::Literal(lit)
                }
            }
            _ => {
                self.substitutions(n);
                Word::Dynamic(self.text(n))
            }
        }
    }

    /// Collects commands run by substitutions anywhere below `n`.
    fn substitutions(&mut self, n: Node<'_>) {
        if !self.enter() {
            return;
        }
        self.substitutions_inner(n);
        self.nest -= 1;
    }

    /// One level deeper in the tree; false (and the script unanalysable)
    /// past [`MAX_TREE_DEPTH`].
    fn enter(&mut self) -> bool {
        if self.nest >= MAX_TREE_DEPTH {
            let why = "the script is nested too deeply to analyse";
            if !self.out.opaque.iter().any(|o| o == why) {
                self.out.opaque.push(why.into());
            }
            return false;
        }
        self.nest += 1;
        true
    }

    fn substitutions_inner(&mut self, n: Node<'_>) {
        match n.kind() {
            "command_substitution" | "process_substitution" => {
                for c in Self::children(n) {
                    if c.kind() == "file_redirect" {
                        // `$(< FILE)` reads FILE (bash's `$(cat FILE)`).
                        let r = self.file_redirect(c);
                        self.out.commands.push(SimpleCommand {
                            argv: vec![Word::Literal("cat".into())],
                            redirects: vec![r],
                            pipeline: None,
                            heredoc: None,
                        });
                    } else {
                        self.node(c, None);
                    }
                }
            }
            _ => {
                for c in Self::children(n) {
                    self.substitutions(c);
                }
            }
        }
    }

    fn node(&mut self, n: Node<'_>, pipe: Option<(usize, usize)>) {
        if !self.enter() {
            return;
        }
        self.node_inner(n, pipe);
        self.nest -= 1;
    }

    fn node_inner(&mut self, n: Node<'_>, pipe: Option<(usize, usize)>) {
        match n.kind() {
            "command" => self.command(n, Vec::new(), pipe, None),
            "redirected_statement" => self.redirected(n, pipe),
            "pipeline" => {
                let id = self.next_pipeline;
                self.next_pipeline += 1;
                let stages: Vec<Node<'_>> = Self::children(n)
                    .into_iter()
                    .filter(tree_sitter::Node::is_named)
                    .collect();
                for (pos, stage) in stages.into_iter().enumerate() {
                    self.node(stage, Some((id, pos)));
                }
            }
            "function_definition" => {
                let name = n
                    .child_by_field_name("name")
                    .map(|c| self.text(c))
                    .unwrap_or_default();
                self.functions.push(name.clone());
                self.out.functions.push(name.clone());
                let before = self.out.commands.len();
                for c in Self::children(n) {
                    if c.kind() != "word" {
                        self.node(c, None);
                    }
                }
                let calls_itself =
                    self.out.commands.get(before..).is_some_and(|cmds| {
                        cmds.iter().any(|c| c.program() == Some(name.as_str()))
                    });
                if calls_itself {
                    self.out.recursive_functions.push(name);
                }
                self.functions.pop();
            }
            "ERROR" => {
                for c in Self::children(n) {
                    self.node(c, pipe);
                }
            }
            "variable_assignment" => self.assignment(n),
            "declaration_command" => {
                for c in Self::children(n) {
                    if c.kind() == "variable_assignment" {
                        self.assignment(c);
                    } else if let Word::Literal(t) = self.word(c) {
                        // `declare 'a[$(cmd)]=1'`: bash evaluates the
                        // subscript of a quoted assignment too.
                        if t.contains('[') && (t.contains("$(") || t.contains('`')) {
                            self.merge(parse_at_depth(&t, self.depth + 1));
                        }
                    }
                }
            }
            "unset_command" => {
                for c in Self::children(n) {
                    if let Word::Literal(t) = self.word(c) {
                        // `unset 'a[$(cmd)]'` evaluates the subscript.
                        if t.contains('[') && (t.contains("$(") || t.contains('`')) {
                            self.merge(parse_at_depth(&t, self.depth + 1));
                        }
                    }
                }
            }
            "test_command" => self.substitutions(n),
            _ => {
                for c in Self::children(n) {
                    if c.is_named() {
                        self.node(c, pipe);
                    } else {
                        self.substitutions(c);
                    }
                }
            }
        }
    }

    fn redirected(&mut self, n: Node<'_>, pipe: Option<(usize, usize)>) {
        let mut redirects = Vec::new();
        let mut heredoc = None;
        for c in Self::children(n) {
            match c.kind() {
                "file_redirect" => redirects.push(self.file_redirect(c)),
                "heredoc_redirect" => {
                    let body: String = Self::children(c)
                        .iter()
                        .filter(|p| p.kind() == "heredoc_body")
                        .map(|p| {
                            self.substitutions(*p);
                            self.text(*p)
                        })
                        .collect();
                    // The grammar puts what follows `<<EOF` on its line
                    // (`> FILE`, `| sh`, `&& cmd`) inside the redirect.
                    let mut piped = false;
                    for r in Self::children(c) {
                        match r.kind() {
                            "file_redirect" => redirects.push(self.file_redirect(r)),
                            "heredoc_start" | "heredoc_body" | "heredoc_end" => {}
                            "|" | "|&" => piped = true,
                            "pipeline" => {
                                // `| sh` after `<<EOF` is a pipeline node
                                // starting with the pipe.
                                let before = self.out.commands.len();
                                self.node(r, None);
                                self.feed_heredoc(before, &body);
                            }
                            _ if r.is_named() => {
                                let before = self.out.commands.len();
                                self.node(r, None);
                                if std::mem::take(&mut piped) {
                                    self.feed_heredoc(before, &body);
                                }
                            }
                            _ => {}
                        }
                    }
                    heredoc = Some(body);
                    redirects.push(Redirect {
                        kind: RedirectKind::Inline,
                        target: Word::Literal(String::new()),
                    });
                }
                "herestring_redirect" => {
                    let target = self.herestring_word(c);
                    heredoc = target.literal().map(str::to_owned).or(heredoc);
                    redirects.push(Redirect {
                        kind: RedirectKind::Inline,
                        target,
                    });
                }
                _ => {}
            }
        }
        match n.child_by_field_name("body") {
            Some(body) if body.kind() == "command" => self.command(body, redirects, pipe, heredoc),
            Some(body) => {
                // A compound statement with redirections: the redirections
                // apply to every command in it.
                let before = self.out.commands.len();
                self.node(body, pipe);
                if let Some(cmds) = self.out.commands.get_mut(before..) {
                    for cmd in cmds {
                        cmd.redirects.extend(redirects.iter().cloned());
                    }
                }
            }
            None => {
                // `>FILE` with no command still opens (and truncates) FILE.
                self.out.commands.push(SimpleCommand {
                    argv: vec![Word::Literal(":".into())],
                    redirects,
                    pipeline: pipe,
                    heredoc,
                });
            }
        }
    }

    /// Records `NAME=value` (and runs its substitutions).
    fn assignment(&mut self, n: Node<'_>) {
        // `a[$(cmd)]=1`: the subscript's substitutions run too.
        if let Some(c) = n.child_by_field_name("name") {
            self.substitutions(c);
        }
        let name = n
            .child_by_field_name("name")
            .map(|c| self.text(c))
            .unwrap_or_default();
        let value = n
            .child_by_field_name("value")
            .map_or(Word::Literal(String::new()), |v| self.word(v));
        self.out.assignments.push((name, value));
    }

    /// The text of `<<< word` when it is literal (a script, if it feeds a shell).
    fn herestring_word(&mut self, n: Node<'_>) -> Word {
        Self::children(n)
            .into_iter()
            .find(Node::is_named)
            .map_or(Word::Literal(String::new()), |w| self.word(w))
    }

    fn file_redirect(&mut self, n: Node<'_>) -> Redirect {
        let op = Self::children(n)
            .iter()
            .find(|c| !c.is_named())
            .map(|c| self.text(*c))
            .unwrap_or_default();
        let target = n
            .child_by_field_name("destination")
            .map_or(Word::Literal(String::new()), |d| self.word(d));
        let kind = match op.as_str() {
            "<" => RedirectKind::Read,
            ">>" | "&>>" => RedirectKind::Append,
            "<>" => RedirectKind::ReadWrite,
            ">&" | "<&" | ">&-" | "<&-"
                if target
                    .literal()
                    .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit() || c == '-')) =>
            {
                RedirectKind::Duplicate
            }
            _ => RedirectKind::Write,
        };
        Redirect { kind, target }
    }

    fn command(
        &mut self,
        n: Node<'_>,
        mut redirects: Vec<Redirect>,
        pipe: Option<(usize, usize)>,
        mut heredoc: Option<String>,
    ) {
        let mut argv = Vec::new();
        for c in Self::children(n) {
            match c.kind() {
                "variable_assignment" => self.assignment(c),
                "command_name" => {
                    let inner = Self::children(c).into_iter().next();
                    if let Some(inner) = inner {
                        argv.push(self.word(inner));
                    }
                }
                "file_redirect" => redirects.push(self.file_redirect(c)),
                "herestring_redirect" => {
                    let target = self.herestring_word(c);
                    heredoc = target.literal().map(str::to_owned).or(heredoc);
                    redirects.push(Redirect {
                        kind: RedirectKind::Inline,
                        target,
                    });
                }
                _ if c.is_named() => argv.push(self.word(c)),
                _ => {}
            }
        }
        if argv.is_empty() {
            return;
        }
        if let Some(Word::Dynamic(name)) = argv.first() {
            self.out.opaque.push(format!(
                "the command name `{name}` is only known at run time"
            ));
        }
        let cmd = SimpleCommand {
            argv,
            redirects,
            pipeline: pipe,
            heredoc,
        };
        self.nested(&cmd);
        self.out.commands.push(cmd);
    }

    /// Scripts run by this command: `sh -c '…'`, `eval`, here-documents fed
    /// to a shell.
    fn nested(&mut self, cmd: &SimpleCommand) {
        let Some(program) = cmd.program().map(basename) else {
            return;
        };
        let alias = cmd
            .program()
            .and_then(|p| self.aliases.iter().rev().find(|(n, _)| n == p))
            .map(|(_, code)| code.clone());
        if let Some(code) = alias {
            // The alias's code with this command's words after it.
            let rest: Vec<String> = cmd
                .argv
                .iter()
                .skip(1)
                .map(|w| match w {
                    Word::Literal(t) => quote(t),
                    Word::Dynamic(t) => t.clone(),
                })
                .collect();
            let line = format!("{code} {}", rest.join(" "));
            self.merge(parse_at_depth(&line, self.depth + 1));
        }
        match program {
            // `builtin eval …`, `command eval …`: the same as `eval …`.
            "builtin" | "command" if cmd.argv.get(1).and_then(Word::literal) == Some("eval") => {
                let inner = SimpleCommand {
                    argv: cmd.argv.get(1..).unwrap_or_default().to_vec(),
                    redirects: Vec::new(),
                    pipeline: None,
                    heredoc: None,
                };
                self.nested(&inner);
            }
            "eval" => {
                // A literal string is parsed like the script it is.
                let words: Option<Vec<&str>> = cmd.argv.iter().skip(1).map(Word::literal).collect();
                match words {
                    Some(w) if !w.is_empty() => {
                        self.merge(parse_at_depth(&w.join(" "), self.depth + 1));
                    }
                    _ => self.out.opaque.push("`eval` runs a string as code".into()),
                }
            }
            "trap" => {
                // `trap 'CODE' SIGNAL…`: CODE runs later, in this shell.
                let code = cmd
                    .argv
                    .iter()
                    .skip(1)
                    .find(|w| !w.text().starts_with('-') || w.text() == "-");
                match code {
                    Some(Word::Literal(c)) if c != "-" && !c.is_empty() => {
                        self.merge(parse_at_depth(c, self.depth + 1));
                    }
                    Some(Word::Dynamic(c)) => self
                        .out
                        .opaque
                        .push(format!("`trap` runs code only known at run time: `{c}`")),
                    _ => {}
                }
            }
            "alias" => {
                // `alias NAME='CODE'`: CODE runs wherever NAME is typed.
                for w in cmd.argv.iter().skip(1) {
                    match w {
                        Word::Literal(a) => {
                            if let Some((name, code)) = a.split_once('=') {
                                self.aliases.push((name.to_owned(), code.to_owned()));
                                self.merge(parse_at_depth(code, self.depth + 1));
                            }
                        }
                        Word::Dynamic(a) => self
                            .out
                            .opaque
                            .push(format!("`alias` of code only known at run time: `{a}`")),
                    }
                }
            }
            "source" | "." => match cmd.argv.get(1) {
                Some(Word::Literal(_)) => {}
                _ => self
                    .out
                    .opaque
                    .push(format!("`{program}` of a file only known at run time")),
            },
            p if is_shell(p) => {
                if let Some(script) = shell_c_argument(&cmd.argv) {
                    match script {
                        Word::Literal(s) => self.merge(parse_at_depth(s, self.depth + 1)),
                        Word::Dynamic(s) => self.out.opaque.push(format!(
                            "`{p} -c` runs a script only known at run time: `{s}`"
                        )),
                    }
                } else if let Some(body) = &cmd.heredoc {
                    if reads_script_from_stdin(&cmd.argv) {
                        self.merge(parse_at_depth(body, self.depth + 1));
                    }
                }
            }
            _ => {}
        }
    }

    /// `cat <<EOF | sh`: the command at `at` reads the here-document; a
    /// shell reading its script from stdin runs it.
    fn feed_heredoc(&mut self, at: usize, body: &str) {
        let Some(cmd) = self.out.commands.get_mut(at) else {
            return;
        };
        if cmd.heredoc.is_none() {
            cmd.heredoc = Some(body.to_owned());
        }
        let shell =
            cmd.program().map(basename).is_some_and(is_shell) && reads_script_from_stdin(&cmd.argv);
        if shell {
            self.merge(parse_at_depth(body, self.depth + 1));
        }
    }

    fn merge(&mut self, inner: Script) {
        let offset = self.next_pipeline;
        self.next_pipeline += inner
            .commands
            .iter()
            .filter_map(|c| c.pipeline.map(|p| p.0 + 1))
            .max()
            .unwrap_or(0);
        for mut c in inner.commands {
            if let Some((id, pos)) = c.pipeline {
                c.pipeline = Some((id + offset, pos));
            }
            self.out.commands.push(c);
        }
        self.out.opaque.extend(inner.opaque);
        self.out
            .recursive_functions
            .extend(inner.recursive_functions);
        self.out.assignments.extend(inner.assignments);
        self.out.functions.extend(inner.functions);
    }
}

/// The script of `sh -c SCRIPT` (also `-lc`, `-ec`, `-xc`...), if any.
pub fn shell_c_argument(argv: &[Word]) -> Option<&Word> {
    let mut it = argv.iter().skip(1);
    while let Some(w) = it.next() {
        let flag = w.literal()?;
        if flag == "--" || !flag.starts_with('-') || flag.starts_with("--") {
            if flag.starts_with("--") && flag != "--" {
                continue;
            }
            return None;
        }
        if flag.contains('c') {
            return it.next();
        }
        if flag == "-o" || flag == "-O" {
            it.next();
        }
    }
    None
}

/// Whether a shell invocation reads its script from stdin (no `-c`, no
/// script file operand).
pub fn reads_script_from_stdin(argv: &[Word]) -> bool {
    let mut it = argv.iter().skip(1);
    while let Some(w) = it.next() {
        match w.literal() {
            Some("-s") => return true,
            Some("-o" | "-O") => {
                it.next();
            }
            Some(f) if f.starts_with('-') && f.contains('c') && !f.starts_with("--") => {
                return false
            }
            Some(f) if f.starts_with('-') => {}
            // `bash /dev/stdin`: the script file is standard input.
            Some("/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0" | "/proc/thread-self/fd/0") => {
                return true
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(s: &Script) -> Vec<Vec<String>> {
        s.commands
            .iter()
            .map(|c| c.argv.iter().map(|w| w.text().to_owned()).collect())
            .collect()
    }

    fn lits(src: &str) -> Vec<Vec<String>> {
        argvs(&parse_script(src))
    }

    #[test]
    fn lists_pipelines_and_substitutions() {
        assert_eq!(
            lits("a 1 && b | c; (d) || e $(f x) `g`"),
            vec![
                vec!["a", "1"],
                vec!["b"],
                vec!["c"],
                vec!["d"],
                vec!["f", "x"],
                vec!["g"],
                vec!["e", "$(f x)", "`g`"]
            ]
        );
    }

    #[test]
    fn quote_removal_and_ansi_c() {
        assert_eq!(
            lits(r#"r''m "-rf" $'\x2f' \/tmp"#),
            vec![vec!["rm", "-rf", "/", "/tmp"]]
        );
        assert_eq!(lits(r"$'\162\155' x"), vec![vec!["rm", "x"]]);
    }

    #[test]
    fn dynamic_command_names_are_opaque() {
        let s = parse_script("$CMD -rf /");
        assert_eq!(s.opaque.len(), 1);
        let s = parse_script("r${IFS}m");
        assert!(!s.opaque.is_empty());
    }

    #[test]
    fn nested_shells_and_heredocs_are_analysed() {
        assert_eq!(
            lits("bash -lc 'curl x | sh'"),
            vec![
                vec!["curl", "x"],
                vec!["sh"],
                vec!["bash", "-lc", "curl x | sh"]
            ]
        );
        assert_eq!(
            lits("sh <<'EOF'\nrm -rf /\nEOF\n"),
            vec![vec!["rm", "-rf", "/"], vec!["sh"]]
        );
        assert!(!parse_script("eval \"$x\"").opaque.is_empty());
        assert!(!parse_script("sh -c \"$x\"").opaque.is_empty());
    }

    #[test]
    fn control_flow_bodies_and_functions() {
        assert_eq!(
            lits("if a; then b; else c; fi; for i in 1 2; do d \"$i\"; done; while e; do f; done"),
            vec![
                vec!["a"],
                vec!["b"],
                vec!["c"],
                vec!["d", "\"$i\""],
                vec!["e"],
                vec!["f"]
            ]
        );
        let s = parse_script(":(){ :|:& };:");
        assert_eq!(s.recursive_functions, vec![":"]);
    }

    #[test]
    fn redirections_are_reads_and_writes() {
        let s = parse_script("cat < in > out 2>&1 >> log");
        let kinds: Vec<_> = s.commands[0]
            .redirects
            .iter()
            .map(|r| (r.kind, r.target.text().to_owned()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (RedirectKind::Read, "in".into()),
                (RedirectKind::Write, "out".into()),
                (RedirectKind::Duplicate, "1".into()),
                (RedirectKind::Append, "log".into())
            ]
        );
    }

    #[test]
    fn parse_errors_are_opaque() {
        assert!(!parse_script("echo 'unterminated").opaque.is_empty());
        assert!(parse_script("echo ok").opaque.is_empty());
    }

    #[test]
    fn non_ascii_input_that_crashed_the_c_scanner_parses() {
        // `{` followed by U+10FFFF made tree-sitter-bash's scanner segfault.
        let s = parse_script("{\u{10ffff}");
        assert!(!s.opaque.is_empty());
        assert_eq!(
            lits("echo héllo wörld"),
            vec![vec!["echo", "héllo", "wörld"]]
        );
    }

    #[test]
    fn pipelines_are_tracked() {
        let s = parse_script("curl -s x | sh");
        assert_eq!(s.commands[0].pipeline, Some((0, 0)));
        assert_eq!(s.commands[1].pipeline, Some((0, 1)));
    }
}
