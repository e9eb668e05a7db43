//! The pages' HTML, written out with escaping functions (no template
//! engine, no script, no inline style: docs/adr/0034-web-pages-served-by-the-server.md).

use crate::staff::Role;
use crate::store::staff::Staff;

/// `text` safe inside an element or a double-quoted attribute.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The hidden field that carries a form's CSRF token.
pub fn csrf_field(token: &str) -> String {
    format!(
        r#"<input type="hidden" name="csrf" value="{}">"#,
        esc(token)
    )
}

/// A message that something was done (escaped).
pub fn notice(text: &str) -> String {
    format!(r#"<p class="notice" role="status">{}</p>"#, esc(text))
}

/// A message that something was refused (escaped).
pub fn alert(text: &str) -> String {
    format!(r#"<p class="alert" role="alert">{}</p>"#, esc(text))
}

/// The pages a role opens, in the menu's order: (path, title, role).
pub const PAGES: &[(&str, &str, Role)] = &[
    ("/teams", "Team och användare", Role::Administrator),
    ("/devices", "Enheter och registrering", Role::Administrator),
    ("/retention", "Gallring", Role::Administrator),
    ("/backups", "Säkerhetskopior", Role::Administrator),
    ("/audit", "Granskning av loggen", Role::Auditor),
    (
        "/outcomes",
        "Utfall per team, skola och period",
        Role::UnitManager,
    ),
];

/// The Swedish name of a role.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Administrator => "administratör",
        Role::UnitManager => "enhetschef",
        Role::Auditor => "granskare",
    }
}

/// A whole page: `body` goes inside `<main>` under the `<h1>` title. With
/// `who`, the header has the menu of that person's pages and the logout
/// form (which needs the session's CSRF token).
pub fn page(title: &str, who: Option<(&Staff, &str)>, body: &str) -> String {
    let header = match who {
        Some((staff, csrf)) => {
            let links: String = PAGES
                .iter()
                .filter(|(_, _, role)| staff.roles.contains(role))
                .map(|(path, name, _)| format!(r#"<li><a href="{path}">{name}</a></li>"#))
                .collect();
            let roles: Vec<&str> = staff.roles.iter().map(|r| role_name(*r)).collect();
            format!(
                r#"<nav aria-label="Sidor"><ul><li><a href="/">Start</a></li>{links}<li><a href="/password">Byt lösenord</a></li></ul></nav>
<form method="post" action="/logout" class="logout"><p>{} ({}) {}<button type="submit">Logga ut</button></p></form>"#,
                esc(&staff.name),
                esc(&roles.join(", ")),
                csrf_field(csrf),
            )
        }
        None => String::new(),
    };
    format!(
        r#"<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Brygga</title>
<link rel="stylesheet" href="/static/web.css">
</head>
<body>
<header><p class="brand">Brygga</p>{header}</header>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"#,
        title = esc(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        let page = page("<b>", None, "");
        assert!(page.contains("<title>&lt;b&gt; – Brygga</title>"));
        assert!(!page.contains("<b>"));
    }
}
