-- Broker schema, PostgreSQL. Times are Unix milliseconds (0 = unset); lists and
-- structures are JSON text.
CREATE TABLE profiles (
	name       TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL
);

CREATE TABLE requests (
	id                   TEXT PRIMARY KEY,
	profile              TEXT NOT NULL,
	target               TEXT NOT NULL,
	session_policy       TEXT NOT NULL,
	requester            TEXT NOT NULL,
	requester_groups     TEXT NOT NULL,
	duration_ms          BIGINT NOT NULL,
	reason               TEXT NOT NULL,
	ticket               TEXT NOT NULL,
	break_glass          BOOLEAN NOT NULL,
	extends              TEXT NOT NULL,
	state                TEXT NOT NULL,
	created_at           BIGINT NOT NULL,
	updated_at           BIGINT NOT NULL,
	decided_by           TEXT NOT NULL,
	decided_at           BIGINT NOT NULL,
	decide_reason        TEXT NOT NULL,
	starts_at            BIGINT NOT NULL,
	ends_at              BIGINT NOT NULL,
	revoked_by           TEXT NOT NULL,
	revoked_at           BIGINT NOT NULL,
	revoke_reason        TEXT NOT NULL,
	review_required      BOOLEAN NOT NULL,
	teardown             TEXT NOT NULL,
	teardown_attempts    BIGINT NOT NULL,
	teardown_next_at     BIGINT NOT NULL,
	teardown_error       TEXT NOT NULL,
	teardown_owner       TEXT NOT NULL DEFAULT '',
	teardown_lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX requests_state_ends ON requests (state, ends_at);
CREATE INDEX requests_state_created ON requests (state, created_at);
CREATE INDEX requests_teardown ON requests (teardown, teardown_next_at);
CREATE INDEX requests_requester ON requests (requester, id);
CREATE INDEX requests_profile ON requests (profile, id);

CREATE TABLE approvals (
	request_id TEXT NOT NULL REFERENCES requests (id),
	approver   TEXT NOT NULL,
	comment    TEXT NOT NULL,
	at         BIGINT NOT NULL,
	PRIMARY KEY (request_id, approver)
);

CREATE TABLE issues (
	id            TEXT PRIMARY KEY,
	request_id    TEXT NOT NULL REFERENCES requests (id),
	issued_at     BIGINT NOT NULL,
	valid_until   BIGINT NOT NULL,
	expires       BIGINT NOT NULL,
	access_key_id TEXT NOT NULL,
	lease_id      TEXT NOT NULL,
	state         TEXT NOT NULL,
	error         TEXT NOT NULL
);
CREATE INDEX issues_request ON issues (request_id);

CREATE TABLE fences (
	request_id TEXT PRIMARY KEY REFERENCES requests (id),
	role_arn   TEXT NOT NULL,
	revoked_at BIGINT NOT NULL,
	until      BIGINT NOT NULL,
	applied    BOOLEAN NOT NULL
);
CREATE INDEX fences_role ON fences (role_arn);
CREATE INDEX fences_until ON fences (until);

CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	hash       TEXT NOT NULL,
	subject    TEXT NOT NULL,
	member_of  TEXT NOT NULL,
	admin      BOOLEAN NOT NULL,
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL
);

CREATE TABLE cursors (
	name        TEXT PRIMARY KEY,
	seq         BIGINT NOT NULL,
	owner       TEXT NOT NULL DEFAULT '',
	lease_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE audit_events (
	seq       BIGINT PRIMARY KEY,
	time_ms   BIGINT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	subject   TEXT NOT NULL,
	data      TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE INDEX audit_subject ON audit_events (subject, seq);

-- One row: the chain's head, locked by every append so events chain in commit order.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
