//! The book as a reader sees it: every built page loaded in headless
//! Chromium, driven over the DevTools protocol.
//!
//! `cargo xtask browser-check` serves `target/book` on 127.0.0.1 (a small
//! static server here, nothing else is reachable), opens each page and
//! checks:
//!
//! - no console errors, uncaught exceptions or failed loads;
//! - every live block of the page's source (`<!-- cmdrun ... live -- <topic> -->`)
//!   is in the page as `div.live[data-live="<topic>"]` with its provenance
//!   line; a table block has table rows, a plot or timeline block (topic
//!   ending in `plot` or `timeline`) an `<svg>` with a real size, marks and
//!   alt text that states numbers;
//! - every internal link points at a built page, and every `#anchor` at an
//!   id on that page;
//! - search works offline: a query typed into the search bar lists results.
//!
//! A failure names the page and what was missing. This runs in `.ci/run`
//! after the book build, never in the students' `cargo test`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::book::OUT_DIR;
use crate::pages;

/// Flags that make Chromium start headless on a closed machine, as root.
const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

/// Runs the check; with `screenshots`, also saves those pages, light and
/// dark, to `target/screenshots`.
pub fn check(
    root: &Path,
    chromium: &str,
    screenshots: &[String],
    allow_reused: bool,
) -> Result<()> {
    let started = Instant::now();
    let book = root.join(OUT_DIR);
    if !book.join("index.html").is_file() {
        bail!(
            "{} has no built book: run `cargo xtask book --build-only` first",
            book.display()
        );
    }
    let pages = html_pages(&book)?;
    let expected = expected_blocks(root)?;
    // Served below the same path as published: mdBook's 404 page names it
    // in its <base> (the `site-url` setting), and its links depend on it.
    let prefix = std::fs::read_to_string(book.join("404.html"))
        .ok()
        .and_then(|html| {
            let at = html.find("<base href=\"")? + "<base href=\"".len();
            let end = html[at..].find('"')?;
            Some(html[at..at + end].trim_end_matches('/').to_owned())
        })
        .unwrap_or_default();
    let server = StaticServer::start(book.clone(), &prefix)?;
    let mut browser = Browser::launch(chromium, root)?;
    let mut problems = Vec::new();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut blocks_seen = 0;
    let mut figures_seen = 0;

    for page in &pages {
        let url = format!("{}/{page}", server.base);
        let (report, errors) = browser.visit(&url, PAGE_REPORT)?;
        for e in errors {
            problems.push(format!("{page}: console error: {e}"));
        }
        ids.insert(
            page.clone(),
            report["ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        );
        for l in report["links"].as_array().into_iter().flatten() {
            if let Some(l) = l.as_str() {
                links.push((page.clone(), l.to_owned()));
            }
        }
        let live = report["live"].as_array().cloned().unwrap_or_default();
        let markers = report["markers"].as_u64().unwrap_or(0) as usize;
        let wanted = expected.get(page).cloned().unwrap_or_default();
        if markers < wanted.len() {
            problems.push(format!(
                "{page}: {markers} of {} live blocks ended with the live-output marker",
                wanted.len()
            ));
        }
        for topic in &wanted {
            let Some(block) = live.iter().find(|b| b["name"] == topic.as_str()) else {
                problems.push(format!("{page}: live block `{topic}` is missing"));
                continue;
            };
            blocks_seen += 1;
            if !block["provenance"].as_bool().unwrap_or(false) {
                problems.push(format!(
                    "{page}: live block `{topic}` does not say where and when it was measured"
                ));
            }
            if block["reused"].as_bool().unwrap_or(false) && !allow_reused {
                problems.push(format!(
                    "{page}: live block `{topic}` shows reused measurements; the published \
                     book measures afresh (build without --reuse)"
                ));
            }
            let figures = block["figures"].as_array().cloned().unwrap_or_default();
            if is_picture(topic) {
                if figures.is_empty() {
                    problems.push(format!("{page}: live block `{topic}` has no picture"));
                }
                for f in &figures {
                    figures_seen += 1;
                    let (w, h) = (
                        f["w"].as_f64().unwrap_or(0.0),
                        f["h"].as_f64().unwrap_or(0.0),
                    );
                    let marks = f["marks"].as_u64().unwrap_or(0);
                    let alt = f["alt"].as_str().unwrap_or("");
                    if w < 200.0 || h < 80.0 {
                        problems.push(format!(
                            "{page}: the picture of `{topic}` is drawn {w:.0}×{h:.0} px, too small to see"
                        ));
                    }
                    if marks < 2 {
                        problems.push(format!(
                            "{page}: the picture of `{topic}` is empty ({marks} marks)"
                        ));
                    }
                    if !alt.chars().any(|c| c.is_ascii_digit()) {
                        problems.push(format!(
                            "{page}: the picture of `{topic}` has no alt text stating its numbers"
                        ));
                    }
                }
            } else if block["rows"].as_u64().unwrap_or(0) == 0
                && block["text"].as_u64().unwrap_or(0) < 40
            {
                problems.push(format!(
                    "{page}: live block `{topic}` is empty (no table rows, no text)"
                ));
            }
        }
    }

    // Links and anchors, now that every page's ids are known.
    let mut checked_links = 0;
    let mut external = BTreeSet::new();
    for (page, link) in &links {
        if page == "404.html" {
            // mdBook's 404 page resolves its links against `site-url`, for
            // whatever path was not found; they are not the reader's links.
            continue;
        }
        let Some(rest) = link.strip_prefix(&format!("{}/", server.base)) else {
            if link.starts_with("http") {
                external.insert(link.clone());
            }
            continue;
        };
        checked_links += 1;
        let (path, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let path = path.split('?').next().unwrap_or("");
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_owned()
        };
        match ids.get(&path) {
            None if book.join(&path).is_file() => {}
            None => problems.push(format!("{page}: broken link to {path}")),
            Some(targets) => {
                if !fragment.is_empty() && !targets.contains(fragment) {
                    problems.push(format!(
                        "{page}: link to {path}#{fragment}: no such anchor on {path}"
                    ));
                }
            }
        }
    }

    // Search, offline.
    let (hits, errors) = browser.visit(&format!("{}/index.html", server.base), SEARCH)?;
    let hits = hits.as_u64().unwrap_or(0);
    if hits == 0 {
        problems.push("index.html: searching for \"GIL\" listed no results".to_owned());
    }
    for e in errors {
        problems.push(format!("index.html (search): console error: {e}"));
    }

    for page in screenshots {
        for theme in ["light", "navy"] {
            let file = browser.screenshot(&server.base, page, theme, root)?;
            eprintln!("screenshot: {}", file.display());
        }
    }
    browser.close();

    eprintln!(
        "browser check: {} pages, {blocks_seen} live blocks ({figures_seen} pictures), \
         {checked_links} internal links, search found {hits} results for \"GIL\"; \
         {} external links not followed (no network); {:.1} s",
        pages.len(),
        external.len(),
        started.elapsed().as_secs_f64()
    );
    if !problems.is_empty() {
        bail!(
            "the built book fails the browser check:\n  {}",
            problems.join("\n  ")
        );
    }
    eprintln!("browser check: every page as a reader sees it is sound");
    Ok(())
}

/// Plot and timeline blocks are named so: `threads cpu-plot`, `gil timeline`.
fn is_picture(topic: &str) -> bool {
    topic.ends_with("plot") || topic.ends_with("timeline")
}

/// The built pages, relative to the book's root, sorted.
fn html_pages(book: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut stack = vec![book.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                // mdBook's own assets: fonts, icons, highlight themes.
                if !["FontAwesome", "fonts", "css"]
                    .iter()
                    .any(|d| path.ends_with(d))
                {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "html") {
                let rel = path.strip_prefix(book).expect("below the book");
                found.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// For each built page, the topics of the live blocks its source asks for
/// (`print.html` holds every chapter's).
fn expected_blocks(root: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut all = Vec::new();
    for rel in pages::markdown_files(root)? {
        let source = std::fs::read_to_string(root.join(&rel))?;
        let topics: Vec<String> = pages::live_blocks(&source)
            .iter()
            .filter_map(|b| b.split_once(" -- ").map(|(_, t)| t.trim().to_owned()))
            .collect();
        // A sub-page `book/src/pitfalls/x.md` is built as `pitfalls/x.html`.
        let page = rel.strip_prefix("book/src").unwrap_or(&rel);
        let page = page
            .with_extension("html")
            .to_string_lossy()
            .replace('\\', "/");
        all.extend(topics.iter().cloned());
        map.insert(page.clone(), topics.clone());
        if page == "introduction.html" {
            // mdBook writes the first chapter as index.html too.
            map.insert("index.html".to_owned(), topics);
        }
    }
    map.insert("print.html".to_owned(), all);
    Ok(map)
}

/// What the check reads off a loaded page.
const PAGE_REPORT: &str = r#"(() => {
  const live = [...document.querySelectorAll('div.live')].map(d => ({
    name: d.dataset.live,
    rows: d.querySelectorAll('table tbody tr').length,
    text: d.textContent.trim().length,
    provenance: !!d.querySelector('.live-provenance, .live-reused'),
    reused: !!d.querySelector('.live-reused'),
    figures: [...d.querySelectorAll('figure.live-figure svg')].map(s => {
      const r = s.getBoundingClientRect();
      return {
        w: r.width, h: r.height,
        marks: s.querySelectorAll('circle.dot, rect.span, polyline.line, path.mark').length,
        alt: (s.querySelector('desc') || {}).textContent || '',
      };
    }),
  }));
  let markers = 0;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT);
  while (walk.nextNode()) {
    if (walk.currentNode.nodeValue.trim() === 'live output ok') markers++;
  }
  return {
    live, markers,
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
})()"#;

/// Types a query into mdBook's search bar and counts the results.
const SEARCH: &str = r#"(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const toggle = document.getElementById('search-toggle');
  const bar = document.getElementById('searchbar');
  if (!toggle || !bar) return 0;
  toggle.click();
  for (let i = 0; i < 50; i++) {
    bar.value = 'GIL';
    bar.dispatchEvent(new KeyboardEvent('keyup', { key: 'L', bubbles: true }));
    await sleep(100);
    const n = document.querySelectorAll('#searchresults li').length;
    if (n > 0) return n;
  }
  return 0;
})()"#;

/// A static file server for the built book, on a free port of 127.0.0.1.
struct StaticServer {
    base: String,
}

impl StaticServer {
    fn start(dir: PathBuf, prefix: &str) -> Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let base = format!("http://{}{prefix}", listener.local_addr()?);
        let prefix = prefix.to_owned();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let dir = dir.clone();
                let prefix = prefix.clone();
                std::thread::spawn(move || {
                    let _ = serve_file(conn, &dir, &prefix);
                });
            }
        });
        Ok(Self { base })
    }
}

fn serve_file(conn: TcpStream, dir: &Path, prefix: &str) -> std::io::Result<()> {
    let mut out = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let favicon = path.ends_with("/favicon.ico");
    let path = path.strip_prefix(prefix).unwrap_or("/..");
    let path = if path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    let safe = !path.split('/').any(|c| c == "..");
    let file = dir.join(path.trim_start_matches('/'));
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(body) if safe => ("200 OK", body, content_type(&file)),
        // Pages without a favicon link (mdBook's toc.html) make the browser
        // ask for /favicon.ico; a static host answers with nothing too.
        _ if favicon => ("204 No Content", Vec::new(), "text/plain"),
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    write!(
        out,
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(&body)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "eot" => "application/vnd.ms-fontobject",
        _ => "application/octet-stream",
    }
}

/// Headless Chromium with one tab, over the DevTools protocol.
struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    events: Vec<Value>,
    _profile: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    fn launch(chromium: &str, root: &Path) -> Result<Self> {
        let profile = TempDir(
            root.join("target")
                .join(format!("browser-check-profile-{}", std::process::id())),
        );
        let _ = std::fs::remove_dir_all(&profile.0);
        std::fs::create_dir_all(&profile.0)?;
        let mut child = Command::new(chromium)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.0.display()))
            .args([
                "--remote-debugging-port=0",
                "--window-size=1200,1400",
                "about:blank",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| {
                format!("starting {chromium} (Debian: apt-get install -y chromium)")
            })?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                    break;
                }
            }
            // Keep draining, so Chromium never blocks on a full pipe.
            for _ in lines {}
        });
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                bail!("{chromium} did not start its DevTools endpoint within 60 s");
            }
        };
        let (socket, _) =
            tungstenite::connect(url.as_str()).with_context(|| format!("connecting to {url}"))?;
        if let MaybeTlsStream::Plain(s) = socket.get_ref() {
            s.set_read_timeout(Some(Duration::from_millis(200)))?;
        }
        let mut browser = Self {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        };
        let target = browser.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
        let target = target["targetId"]
            .as_str()
            .ok_or_else(|| anyhow!("no targetId"))?
            .to_owned();
        let attached = browser.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )?;
        browser.session = attached["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no sessionId"))?
            .to_owned();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            browser.page_call(domain, json!({}))?;
        }
        browser.page_call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1200, "height": 1400, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        Ok(browser)
    }

    /// Sends a command and waits for its answer, keeping events meanwhile.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.socket.send(Message::text(msg.to_string()))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if Instant::now() > deadline {
                bail!("Chromium did not answer {method} within 30 s");
            }
            let Some(v) = self.read()? else { continue };
            if v["id"] == id {
                if let Some(err) = v.get("error") {
                    bail!("{method} failed: {err}");
                }
                return Ok(v["result"].clone());
            }
            self.events.push(v);
        }
    }

    fn page_call(&mut self, method: &str, params: Value) -> Result<Value> {
        let session = self.session.clone();
        self.call(Some(&session), method, params)
    }

    /// The next message, or `None` if none came within the read timeout.
    fn read(&mut self) -> Result<Option<Value>> {
        match self.socket.read() {
            Ok(Message::Text(t)) => Ok(Some(serde_json::from_str(t.as_str())?)),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Waits until an event named `method` arrives (or `limit` passes).
    fn wait_for(&mut self, method: &str, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
            self.events.drain(..=i);
            return Ok(());
        }
        while Instant::now() < deadline {
            if let Some(v) = self.read()? {
                let hit = v["method"] == method;
                self.events.push(v);
                if hit {
                    return Ok(());
                }
            }
        }
        bail!("no {method} within {} s", limit.as_secs())
    }

    /// Opens `url`, waits for it to load and settle, evaluates `script`
    /// and returns its value with the console errors seen meanwhile.
    fn visit(&mut self, url: &str, script: &str) -> Result<(Value, Vec<String>)> {
        self.events.clear();
        self.page_call("Page.navigate", json!({"url": url}))?;
        self.wait_for("Page.loadEventFired", Duration::from_secs(30))
            .with_context(|| format!("loading {url}"))?;
        // Let late scripts (search index, theme) run.
        let settle = Instant::now() + Duration::from_millis(300);
        while Instant::now() < settle {
            if let Some(v) = self.read()? {
                self.events.push(v);
            }
        }
        let value = self.page_call(
            "Runtime.evaluate",
            json!({"expression": script, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(ex) = value.get("exceptionDetails") {
            bail!("the check's own script failed on {url}: {ex}");
        }
        let errors = self.errors();
        Ok((value["result"]["value"].clone(), errors))
    }

    /// Console errors, uncaught exceptions and failed loads since the last
    /// navigation.
    fn errors(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.events.drain(..) {
            let p = &e["params"];
            match e["method"].as_str() {
                Some("Runtime.exceptionThrown") => out.push(format!(
                    "uncaught exception: {}",
                    p["exceptionDetails"]["exception"]["description"]
                        .as_str()
                        .or(p["exceptionDetails"]["text"].as_str())
                        .unwrap_or("?")
                )),
                Some("Runtime.consoleAPICalled") if p["type"] == "error" => out.push(format!(
                    "console.error: {}",
                    p["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| a["value"]
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| a["description"].to_string()))
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
                Some("Log.entryAdded") if p["entry"]["level"] == "error" => out.push(format!(
                    "{} {}",
                    p["entry"]["text"].as_str().unwrap_or("?"),
                    p["entry"]["url"].as_str().unwrap_or("")
                )),
                _ => {}
            }
        }
        out
    }

    /// Saves `page` in `theme` (an mdBook theme name) as a PNG, scrolled to
    /// its first picture, or to the element `page` names after a `#`
    /// (`threads.html#speedup-threads-t`).
    fn screenshot(&mut self, base: &str, page: &str, theme: &str, root: &Path) -> Result<PathBuf> {
        let (page, target) = page.split_once('#').unwrap_or((page, ""));
        let url = format!("{base}/{page}");
        let set_theme = format!("localStorage.setItem('mdbook-theme', '{theme}')");
        self.visit(&url, &set_theme)?;
        let selector = if target.is_empty() {
            ".live-figure".to_owned()
        } else {
            format!("[id='{target}']")
        };
        let scroll = format!(
            "(() => {{ const e = document.querySelector(\"{selector}\"); \
             const f = e && (e.closest('figure') || e); \
             if (f) {{ window.scrollTo(0, f.getBoundingClientRect().top + window.scrollY - 260); }} \
             return 0; }})()"
        );
        self.visit(&url, &scroll)?;
        let shot = self.page_call("Page.captureScreenshot", json!({"format": "png"}))?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or(""))
            .context("the screenshot is not base64")?;
        let dir = root.join("target/screenshots");
        std::fs::create_dir_all(&dir)?;
        let name = format!(
            "{}{}-{}.png",
            page.trim_end_matches(".html"),
            if target.is_empty() {
                String::new()
            } else {
                format!("-{target}")
            },
            if theme == "light" { "light" } else { "dark" }
        );
        let file = dir.join(name);
        std::fs::write(&file, data)?;
        Ok(file)
    }

    fn close(mut self) {
        let _ = self.call(None, "Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_named_so() {
        assert!(is_picture("threads cpu-plot"));
        assert!(is_picture("gil timeline"));
        assert!(!is_picture("threads cpu"));
    }
}
