//! A response body sent as the pieces it is made of, its length known up front: hyper
//! queues the pieces and writes them with the head in one vectored write, so a page
//! made of the snapshot's own bytes goes to the socket without being copied first.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Shared bytes, sent in order as a body with a `Content-Length`.
#[derive(Debug)]
pub struct Pieces {
    pieces: VecDeque<Bytes>,
    /// Bytes not yet sent: the exact size hint, from which hyper writes the length.
    left: u64,
}

impl Pieces {
    pub fn new(pieces: impl IntoIterator<Item = Bytes>) -> Self {
        // An empty frame would be skipped by hyper anyway; leaving it out keeps
        // `is_end_stream` true as soon as nothing is left to send.
        let pieces: VecDeque<Bytes> = pieces.into_iter().filter(|p| !p.is_empty()).collect();
        let left = pieces.iter().map(|p| p.len() as u64).sum();
        Pieces { pieces, left }
    }
}

impl Body for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        Poll::Ready(this.pieces.pop_front().map(|piece| {
            this.left -= piece.len() as u64;
            Ok(Frame::data(piece))
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.pieces.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn next_frame(body: &mut Pieces) -> Option<Bytes> {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await?;
        frame.ok().and_then(|f| f.into_data().ok())
    }

    #[tokio::test]
    async fn pieces_arrive_in_order_with_their_exact_length() {
        let body = Pieces::new([
            Bytes::from_static(b"{\"a\":["),
            Bytes::new(),
            Bytes::from_static(b"1,2,"),
            Bytes::from_static(b"3]}"),
        ]);
        assert_eq!(body.size_hint().exact(), Some(13));
        assert!(!body.is_end_stream());
        let mut body = body;
        let mut frames = Vec::new();
        while let Some(data) = next_frame(&mut body).await {
            frames.push(data.to_vec());
            let sent = frames.iter().map(Vec::len).sum::<usize>() as u64;
            assert_eq!(body.size_hint().exact(), Some(13 - sent));
        }
        // The empty piece is not sent as a frame of its own.
        assert_eq!(frames.len(), 3);
        let all: Vec<u8> = frames.into_iter().flatten().collect();
        assert_eq!(all, b"{\"a\":[1,2,3]}");
        assert!(body.is_end_stream());
    }
}
