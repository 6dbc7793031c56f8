import type { Knex } from 'knex';
import { runStatements } from './statements.ts';

/**
 * The whole first schema in SQL rather than the schema builder: generated
 * tsvector columns, GIN indexes and CHECK constraints read more plainly here,
 * and the same text runs on Postgres and PGlite.
 */
const schema = `
    CREATE TABLE organizations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      display_name text NOT NULL,
      email text,
      role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member', 'guest')),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, email)
    );

    CREATE TABLE platform_identities (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      platform text NOT NULL,
      -- the workspace/guild/tenant the id is unique within ('' when global)
      external_team_id text NOT NULL DEFAULT '',
      external_user_id text NOT NULL,
      display_name text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (platform, external_team_id, external_user_id)
    );
    CREATE INDEX platform_identities_user_idx ON platform_identities (user_id);

    CREATE TABLE meetings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      platform text NOT NULL,
      external_ids jsonb NOT NULL DEFAULT '{}',
      title text NOT NULL,
      status text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
      scheduled_at timestamptz,
      started_at timestamptz,
      ended_at timestamptz,
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX meetings_org_status_idx ON meetings (organization_id, status);
    CREATE INDEX meetings_org_started_idx ON meetings (organization_id, started_at DESC NULLS LAST);
    CREATE INDEX meetings_external_ids_idx ON meetings USING gin (external_ids jsonb_path_ops);

    CREATE TABLE attendees (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      display_name text NOT NULL,
      consent text NOT NULL DEFAULT 'unknown' CHECK (consent IN ('unknown', 'granted', 'opted_out')),
      talk_time_ms bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (meeting_id, display_name)
    );

    CREATE TABLE transcript_segments (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      attendee_id uuid REFERENCES attendees(id) ON DELETE SET NULL,
      speaker text NOT NULL,
      start_ms integer NOT NULL CHECK (start_ms >= 0),
      end_ms integer NOT NULL,
      text text NOT NULL,
      confidence real,
      source text NOT NULL,
      source_seq bigint NOT NULL,
      language text,
      created_at timestamptz NOT NULL DEFAULT now(),
      tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
      CHECK (end_ms >= start_ms),
      -- makes re-sent segments no-ops; also serves "segments of a meeting"
      UNIQUE (meeting_id, source, source_seq)
    );
    CREATE INDEX transcript_segments_meeting_time_idx ON transcript_segments (meeting_id, start_ms);
    CREATE INDEX transcript_segments_tsv_idx ON transcript_segments USING gin (tsv);

    CREATE TABLE action_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      description text NOT NULL,
      owner_attendee_id uuid REFERENCES attendees(id) ON DELETE SET NULL,
      owner_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      owner_name text,
      due_date date,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),
      priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
      confidence real,
      evidence_segment_ids bigint[] NOT NULL DEFAULT '{}',
      source text NOT NULL DEFAULT 'manual',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX action_items_meeting_idx ON action_items (meeting_id);
    CREATE INDEX action_items_owner_status_idx ON action_items (owner_user_id, status);
    CREATE INDEX action_items_status_due_idx ON action_items (status, due_date);

    CREATE TABLE decisions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      text text NOT NULL,
      evidence_segment_ids bigint[] NOT NULL DEFAULT '{}',
      confidence real,
      source text NOT NULL DEFAULT 'manual',
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX decisions_meeting_idx ON decisions (meeting_id);

    CREATE TABLE meeting_notes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('question', 'blocker')),
      text text NOT NULL,
      evidence_segment_ids bigint[] NOT NULL DEFAULT '{}',
      confidence real,
      resolved boolean NOT NULL DEFAULT false,
      source text NOT NULL DEFAULT 'manual',
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX meeting_notes_meeting_idx ON meeting_notes (meeting_id, kind);

    CREATE TABLE summaries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      kind text NOT NULL DEFAULT 'abstract',
      text text NOT NULL,
      provider text,
      model text,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (meeting_id, kind, version)
    );
`;

/** PGlite's extended protocol takes one statement per query, so run them one by one. */
export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, schema);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS summaries, meeting_notes, decisions, action_items, transcript_segments,
      attendees, meetings, platform_identities, users, organizations CASCADE;
  `);
}
