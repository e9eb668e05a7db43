//! The administrator's page of backups: the backups `brygga-server
//! backup` made and recorded ([`crate::backup::made`]), with their time
//! and size, and how to make one. A backup is not started from this page
//! (docs/adr/0037-administrator-pages.md): it is written to a file on the
//! server, best on another disk beside the admin log, whose path is the
//! server's operator's to choose, not a web form's; and copying a large
//! database takes minutes, longer than a page should wait.

use super::session::SignedIn;
use super::{html, page_with, WebState};
use crate::backup;
use crate::clock::rfc3339;
use crate::staff::Role;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

const TITLE: &str = "Säkerhetskopior";

pub async fn list(State(state): State<WebState>, who: SignedIn) -> Response {
    if let Err(forbidden) = who.view(&state, Role::Administrator, "/backups").await {
        return forbidden;
    }
    let body = body(&state).await;
    page_with(&who, StatusCode::OK, TITLE, "", body)
}

async fn body(state: &WebState) -> crate::error::Result<String> {
    let made = backup::made(state.store.as_ref()).await?;
    let mut out = String::from(
        r#"<h2>Gjorda säkerhetskopior</h2>
<p>Säkerhetskopior som gjorts med <code>brygga-server backup</code> på den här servern (SQLite), nyast först. En kopia av en PostgreSQL-databas görs med <code>pg_dump</code> utanför servern och syns inte här.</p>"#,
    );
    if made.is_empty() {
        out.push_str("<p>Ingen säkerhetskopia är gjord med servern ännu.</p>");
    } else {
        let rows: String = made
            .iter()
            .map(|m| {
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    html::esc(&rfc3339(m.at_ms)),
                    html::esc(&m.file),
                    m.bytes.map_or_else(|| "–".into(), size),
                )
            })
            .collect();
        out.push_str(&format!(
            r#"<table><caption>Säkerhetskopior ({})</caption><thead><tr><th scope="col">Gjord</th><th scope="col">Fil</th><th scope="col">Storlek</th></tr></thead><tbody>{rows}</tbody></table>"#,
            made.len()
        ));
    }
    out.push_str(
        r#"<h2>Göra en säkerhetskopia</h2>
<p>En säkerhetskopia görs på servern, inte härifrån, medan servern är igång:</p>
<p class="code">brygga-server --data-dir /var/lib/brygga backup --out /backup/brygga-ÅÅÅÅ-MM-DD.db</p>
<p>Med PostgreSQL: <span class="code">pg_dump --format=custom --file /backup/brygga-ÅÅÅÅ-MM-DD.dump postgres://brygga@db/brygga</span></p>
<p>Varför inte en knapp här: kopian skrivs som en fil på servern, helst på en annan disk tillsammans med administrationsloggen, och var den hamnar bestäms av den som sköter servern, inte av ett webbformulär. Att kopiera en stor databas tar dessutom flera minuter. Återställning görs också på servern, med servern stoppad (se docs/backup.md).</p>"#,
    );
    Ok(out)
}

/// A size in bytes as a person reads it (1 decimal, binary units).
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["byte", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} byte")
    } else {
        format!("{value:.1} {}", UNITS[unit]).replace('.', ",")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_are_in_binary_units_with_a_swedish_decimal_comma() {
        assert_eq!(super::size(512), "512 byte");
        assert_eq!(super::size(1536), "1,5 KiB");
        assert_eq!(super::size(3 * 1024 * 1024 * 1024), "3,0 GiB");
    }
}
