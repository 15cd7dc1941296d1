//! The machine's ceiling for the HTTP bench: a bare axum server that answers a
//! ready-made body of a given size, and `/health`, with nothing else to do.
//!
//! `cargo run --release --example ceiling -- 127.0.0.1:0 60000` prints
//! `ceiling listening on http://…/` and serves `/page` (the body) and `/health`.

use axum::http::header;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".into());
    let size: usize = match args.next().map(|s| s.parse()) {
        None => 60_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("the body size must be a whole number of bytes: {e}");
            std::process::exit(2);
        }
    };
    // A JSON-looking body of exactly `size` bytes, made once.
    let mut body = vec![b' '; size.max(2)];
    body[0] = b'{';
    body[size.max(2) - 1] = b'}';
    let body = Bytes::from(body);
    let app = Router::new()
        .route(
            "/page",
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "application/geo+json")], body) }
            }),
        )
        .route("/health", get(|| async { r#"{"status":"ok"}"# }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("ceiling listening on http://{}/", listener.local_addr()?);
    axum::serve(listener, app).await
}
