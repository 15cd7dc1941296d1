//! Reloading when the database says its data changed: LISTEN on the manifest's
//! `notify_channel`, and call back once per burst of NOTIFYs.

use super::{PostgisError, Target};
use crate::load::manifest::PostgisSettings;
use postgres::fallible_iterator::FallibleIterator;
use std::time::Duration;

/// After a lost connection, the wait before listening again.
const RETRY: Duration = Duration::from_secs(5);
/// Notifications this close together are one change: a script that updates table after
/// table should cause one reload, not one per statement.
const BURST: Duration = Duration::from_millis(300);

/// Listens on `channel` for as long as the process runs, calling `changed` after each
/// burst of notifications; reconnects after a lost connection.
pub fn watch(settings: &PostgisSettings, channel: &str, mut changed: impl FnMut()) {
    loop {
        if let Err(e) = listen(settings, channel, &mut changed) {
            tracing::warn!(error = %e, channel, "PostGIS notifications lost; listening again in 5 s");
        }
        std::thread::sleep(RETRY);
    }
}

fn listen(
    settings: &PostgisSettings,
    channel: &str,
    changed: &mut impl FnMut(),
) -> Result<(), PostgisError> {
    let target = Target::from_settings(settings)?;
    let mut client = target.connect()?;
    let lost = |e: postgres::Error| PostgisError::Connect {
        target: target.described().to_string(),
        message: target.redact(&super::message(&e)),
    };
    client
        .batch_execute(&format!("LISTEN \"{}\"", channel.replace('"', "\"\"")))
        .map_err(lost)?;
    tracing::info!(
        channel,
        database = target.described(),
        "reloading on NOTIFY"
    );
    loop {
        let mut notifications = client.notifications();
        match notifications.blocking_iter().next() {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(PostgisError::Connect {
                    target: target.described().to_string(),
                    message: "the server closed the connection".into(),
                })
            }
            Err(e) => return Err(lost(e)),
        }
        let mut more = notifications.timeout_iter(BURST);
        while let Ok(Some(_)) = more.next() {}
        changed();
    }
}
