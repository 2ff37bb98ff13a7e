-- Several instances on one database. A claimed message names the process
-- that claimed it: only that process may mark it sent, and a process that
-- stops hands its claims back at once.
ALTER TABLE campaign_messages ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

-- The outbox of account and notification e-mail is claimed the same way.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMP;

-- The sending pace shared by every instance: the time of the next free
-- slot of each limit (the SMTP server's rate is one for all).
CREATE TABLE send_pace (
    name    TEXT PRIMARY KEY,
    next_at TIMESTAMP NOT NULL
);

-- An import preview runs in one process; the others show its progress and
-- take it for interrupted only when its heartbeat stops.
ALTER TABLE imports ADD COLUMN worker TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN heartbeat_at TIMESTAMP;
ALTER TABLE imports ADD COLUMN progress TEXT NOT NULL DEFAULT '';
