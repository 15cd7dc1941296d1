//! A small HTTP/1.1 file server on 127.0.0.1 for the fetch tests: serves files from
//! memory, answers `Range: bytes=N-` with 206, and can misbehave on purpose (cut the
//! first transfer of a file midway, serve a wrong checksum). It records every request.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub range: Option<String>,
    /// The request target as sent; `CONNECT host:port` for a proxy tunnel.
    pub target: String,
}

#[derive(Default)]
struct Files {
    files: HashMap<String, Vec<u8>>,
    /// Paths whose next transfer stops after this many bytes of the body.
    cuts: HashMap<String, usize>,
    requests: Vec<Request>,
}

#[derive(Clone)]
pub struct FileServer {
    pub base: String,
    state: Arc<Mutex<Files>>,
}

impl FileServer {
    pub fn start() -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test server");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(Files::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        FileServer { base, state }
    }

    pub fn put(&self, path: &str, body: Vec<u8>) {
        self.state.lock().unwrap().files.insert(path.into(), body);
    }

    /// The next transfer of `path` sends only `bytes` of its body, then closes.
    pub fn cut_next(&self, path: &str, bytes: usize) {
        self.state.lock().unwrap().cuts.insert(path.into(), bytes);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }
}

fn serve(stream: TcpStream, state: &Mutex<Files>) {
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let method = line.split_whitespace().next().unwrap_or("").to_string();
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    if method == "CONNECT" {
        // As a proxy: open the tunnel, then serve the request that comes through it.
        while reader.read_line(&mut String::new()).unwrap_or(0) > 2 {}
        state.lock().unwrap().requests.push(Request {
            path: String::new(),
            range: None,
            target: format!("CONNECT {target}"),
        });
        let _ = (&stream).write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        drop(reader);
        return serve(stream, state);
    }
    let mut range = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            }
        }
    }
    // A request for a proxy may name the whole URL; the file is its path.
    let path = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/".into(), |i| rest[i..].to_string()),
        None => target.clone(),
    };
    let (body, cut) = {
        let mut s = state.lock().unwrap();
        s.requests.push(Request {
            path: path.clone(),
            range: range.clone(),
            target,
        });
        let cut = s.cuts.remove(&path);
        (s.files.get(&path).cloned(), cut)
    };
    let mut out = &stream;
    let Some(body) = body else {
        let _ = out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        );
        return;
    };
    let start = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok());
    let head = match start {
        Some(s) if s >= body.len() => {
            let _ = out.write_all(format!("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
            return;
        }
        Some(s) => format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {s}-{}/{}\r\nContent-Length: {}\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n",
            body.len() - 1,
            body.len(),
            body.len() - s
        ),
        None => format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: \"v1\"\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n",
            body.len()
        ),
    };
    let slice = &body[start.unwrap_or(0)..];
    let send = cut.map_or(slice.len(), |c| c.min(slice.len()));
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&slice[..send]);
    let _ = out.flush();
    // Dropping the stream closes the connection, midway when cut.
}
