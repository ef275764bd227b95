//! Two small future combinators, to avoid a dependency: run many at once, or take the first of two.

use crate::prelude::*;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// A boxed local future.
pub(crate) type Boxed<T> = Pin<Box<dyn Future<Output = T>>>;

/// Runs futures concurrently and yields their outputs in order.
pub(crate) fn join_all<T>(futures: Vec<Boxed<T>>) -> JoinAll<T> {
    JoinAll {
        slots: futures.into_iter().map(Slot::Pending).collect(),
    }
}

enum Slot<T> {
    Pending(Boxed<T>),
    Done(T),
    Taken,
}

pub(crate) struct JoinAll<T> {
    slots: Vec<Slot<T>>,
}

impl<T> Unpin for JoinAll<T> {}

impl<T> Future for JoinAll<T> {
    type Output = Vec<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
        let mut all_done = true;
        for slot in self.slots.iter_mut() {
            if let Slot::Pending(f) = slot {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Slot::Done(v),
                    Poll::Pending => all_done = false,
                }
            }
        }
        if !all_done {
            return Poll::Pending;
        }
        let out = self
            .slots
            .iter_mut()
            .filter_map(|slot| match core::mem::replace(slot, Slot::Taken) {
                Slot::Done(v) => Some(v),
                _ => None,
            })
            .collect();
        Poll::Ready(out)
    }
}

/// Which of two futures finished first.
pub(crate) enum First<A, B> {
    Left(A),
    Right(B),
}

/// Waits for the first of `a` and `b` (`a` wins a tie); the other is dropped.
pub(crate) async fn first<A: Future, B: Future>(a: A, b: B) -> First<A::Output, B::Output> {
    let mut a = core::pin::pin!(a);
    let mut b = core::pin::pin!(b);
    core::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(First::Left(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(First::Right(v));
        }
        Poll::Pending
    })
    .await
}
