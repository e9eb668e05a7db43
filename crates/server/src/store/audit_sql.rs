//! The SQL of the audit review's two reads, for both backends: each
//! table's rows that an [`AuditFilter`] selects, after a `(time, id)`
//! bound, in `(time, id)` order, at most a number. Only the filters given
//! are in the statement, so each read can use the index that fits it
//! (schema step 6). The order and the merge are [`super::plan::review`]'s.

use super::AuditFilter;
use uuid::Uuid;

/// The columns of a device row, in this order.
pub(crate) const DEVICE_COLUMNS: &str = "id, device_id, seq, at, at_ms, actor, action, \
     object_type, object_id, pupil_id, detail, prev_hash, hash, received_at, after_break";
/// The columns of a server row, in this order.
pub(crate) const SERVER_COLUMNS: &str = "id, at, actor, action, subject, detail";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A statement's parameter; each backend binds it as its column wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    Int(i64),
    Text(String),
    /// A `device_id` column (text in SQLite, a UUID in PostgreSQL).
    Device(Uuid),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub sql: String,
    pub params: Vec<Param>,
}

struct Builder {
    dialect: Dialect,
    conditions: Vec<String>,
    params: Vec<Param>,
}

impl Builder {
    fn new(dialect: Dialect) -> Builder {
        Builder {
            dialect,
            conditions: Vec::new(),
            params: Vec::new(),
        }
    }

    /// Binds `param`; its placeholder.
    fn bind(&mut self, param: Param) -> String {
        self.params.push(param);
        match self.dialect {
            Dialect::Sqlite => format!("?{}", self.params.len()),
            Dialect::Postgres => format!("${}", self.params.len()),
        }
    }

    fn time(&mut self, column: &str, filter: &AuditFilter, after: Option<(i64, i64)>) {
        if let Some(from) = filter.from_ms {
            let p = self.bind(Param::Int(from));
            self.conditions.push(format!("{column} >= {p}"));
        }
        if let Some(to) = filter.to_ms {
            let p = self.bind(Param::Int(to));
            self.conditions.push(format!("{column} <= {p}"));
        }
        if let Some((at, id)) = after {
            let (at, id) = (self.bind(Param::Int(at)), self.bind(Param::Int(id)));
            self.conditions
                .push(format!("({column}, id) > ({at}, {id})"));
        }
    }

    fn action(&mut self, filter: &AuditFilter) {
        if let Some(action) = &filter.action {
            let p = self.bind(Param::Text(action.clone()));
            self.conditions.push(format!("action = {p}"));
        }
    }

    /// The ids of the devices enrolled to the user bound at `p`, as the
    /// subquery's `id_expr` gives them.
    fn devices_of_user(p: &str, id_expr: &str) -> String {
        format!(
            "SELECT {id_expr} FROM devices dv JOIN users us ON us.id = dv.user_id \
             WHERE us.name = {p}"
        )
    }

    fn finish(self, columns: &str, table: &str, time: &str, fetch: i64) -> Query {
        let mut b = self;
        let limit = b.bind(Param::Int(fetch));
        let filter = if b.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", b.conditions.join(" AND "))
        };
        Query {
            sql: format!("SELECT {columns} FROM {table}{filter} ORDER BY {time}, id LIMIT {limit}"),
            params: b.params,
        }
    }
}

/// The device rows (`device_audit`) `filter` selects after `after`.
pub(crate) fn device_rows(
    dialect: Dialect,
    filter: &AuditFilter,
    after: Option<(i64, i64)>,
    fetch: i64,
) -> Query {
    let mut b = Builder::new(dialect);
    if let Some(user) = &filter.user {
        let p = b.bind(Param::Text(user.clone()));
        b.conditions.push(format!(
            "(actor = {p} OR device_id IN ({}))",
            Builder::devices_of_user(&p, "dv.id")
        ));
    }
    if let Some(pupil) = &filter.pupil {
        let p = b.bind(Param::Text(pupil.clone()));
        b.conditions.push(format!("pupil_id = {p}"));
    }
    if let Some(device) = filter.device {
        let p = b.bind(Param::Device(device));
        b.conditions.push(format!("device_id = {p}"));
    }
    b.action(filter);
    b.time("at_ms", filter, after);
    b.finish(DEVICE_COLUMNS, "device_audit", "at_ms", fetch)
}

/// The server's own rows (`audit`) `filter` selects after `after`. A
/// server row is a device's when its actor is `device:<id>`.
pub(crate) fn server_rows(
    dialect: Dialect,
    filter: &AuditFilter,
    after: Option<(i64, i64)>,
    fetch: i64,
) -> Query {
    let mut b = Builder::new(dialect);
    if let Some(user) = &filter.user {
        let p = b.bind(Param::Text(user.clone()));
        let actor = match dialect {
            Dialect::Sqlite => "'device:' || dv.id",
            Dialect::Postgres => "'device:' || dv.id::text",
        };
        b.conditions.push(format!(
            "(actor = {p} OR actor IN ({}))",
            Builder::devices_of_user(&p, actor)
        ));
    }
    if let Some(device) = filter.device {
        let p = b.bind(Param::Text(format!("device:{device}")));
        b.conditions.push(format!("actor = {p}"));
    }
    b.action(filter);
    b.time("at", filter, after);
    b.finish(SERVER_COLUMNS, "audit", "at", fetch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_given_filters_are_in_the_statement() {
        let q = device_rows(Dialect::Sqlite, &AuditFilter::default(), None, 11);
        assert_eq!(
            q.sql,
            format!("SELECT {DEVICE_COLUMNS} FROM device_audit ORDER BY at_ms, id LIMIT ?1")
        );
        assert_eq!(q.params, vec![Param::Int(11)]);
        let filter = AuditFilter {
            user: Some("fiktiv".into()),
            device: Some(Uuid::from_u128(1)),
            action: Some("push".into()),
            from_ms: Some(5),
            ..Default::default()
        };
        let q = server_rows(Dialect::Postgres, &filter, Some((7, 3)), 2);
        assert_eq!(
            q.sql,
            format!(
                "SELECT {SERVER_COLUMNS} FROM audit WHERE (actor = $1 OR actor IN \
                 (SELECT 'device:' || dv.id::text FROM devices dv JOIN users us ON \
                 us.id = dv.user_id WHERE us.name = $1)) AND actor = $2 AND action = $3 \
                 AND at >= $4 AND (at, id) > ($5, $6) ORDER BY at, id LIMIT $7"
            )
        );
        assert_eq!(
            q.params,
            vec![
                Param::Text("fiktiv".into()),
                Param::Text(format!("device:{}", Uuid::from_u128(1))),
                Param::Text("push".into()),
                Param::Int(5),
                Param::Int(7),
                Param::Int(3),
                Param::Int(2),
            ]
        );
    }
}
