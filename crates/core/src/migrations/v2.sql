-- Version 2: sync with the municipal server.

-- One row per setting: server_url, server_fingerprint, enrolled_user, team,
-- pushed_seq (highest own seq the server has answered for),
-- pull_cursor (highest server_seq pulled), last_success_at, last_attempt_at,
-- last_error.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Operations the server rejected (push) or that did not apply here (pull),
-- with a reason a person can read. They never block the rest of the queue.
CREATE TABLE quarantine (
    op_id     TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    body      TEXT NOT NULL,
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (op_id, direction)
) STRICT;
