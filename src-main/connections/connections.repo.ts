// The only SQL on `workspaces` and `connections`. Statements are prepared once. Secrets arrive here
// already sealed (BLOBs) and leave sealed; opening them is the service's business.
import type { Db } from '../db/open';

export interface WorkspaceRow {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
  connection_count: number;
}

export type ConnectionKind = 'sandbox' | 'cloud';
export type ConnectionStatus = 'active' | 'needs_reauth' | 'disabled';

export interface ConnectionRow {
  id: string;
  workspace_id: string;
  kind: ConnectionKind;
  name: string;
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string | null;
  api_version: string;
  token_enc: Buffer;
  app_secret_enc: Buffer;
  verify_token: string;
  rate_limit_per_minute: number;
  /** Migration 0006: a number Meta upgraded (up to 1,000/s, §4); when set it replaces the per-minute rule. */
  rate_limit_per_second: number | null;
  status: ConnectionStatus;
  status_reason: string | null;
  last_webhook_at: number | null;
  created_at: number;
  updated_at: number;
}

/** What creating a connection writes: its identity and credentials; status and timestamps start fresh. */
export type NewConnection = Pick<
  ConnectionRow,
  | 'id'
  | 'workspace_id'
  | 'kind'
  | 'name'
  | 'phone_number_id'
  | 'waba_id'
  | 'display_phone_number'
  | 'api_version'
  | 'token_enc'
  | 'app_secret_enc'
  | 'verify_token'
  | 'rate_limit_per_minute'
> & { now: number };

/** A full replacement of the editable columns; the service merges the edit with the saved row first. */
export interface ConnectionEdit {
  id: string;
  name: string;
  phone_number_id: string;
  waba_id: string;
  api_version: string;
  token_enc: Buffer;
  app_secret_enc: Buffer;
  verify_token: string;
  rate_limit_per_minute: number;
  /** A new token clears needs_reauth; otherwise the status is kept. */
  status: ConnectionStatus;
  status_reason: string | null;
  display_phone_number: string | null;
  now: number;
}

export interface CascadeCounts {
  conversations: number;
  messages: number;
  templates: number;
  campaigns: number;
  liveCampaigns: number;
}

const connectionColumns = `id, workspace_id, kind, name, phone_number_id, waba_id, display_phone_number, api_version,
  token_enc, app_secret_enc, verify_token, rate_limit_per_minute, rate_limit_per_second, status, status_reason, last_webhook_at,
  created_at, updated_at`;

export type ConnectionsRepo = ReturnType<typeof createConnectionsRepo>;

export function createConnectionsRepo(db: Db) {
  const workspaceSelect = `SELECT w.id, w.name, w.created_at, w.updated_at,
      (SELECT count(*) FROM connections c WHERE c.workspace_id = w.id) AS connection_count
    FROM workspaces w`;
  const listWorkspaces = db.prepare<[], WorkspaceRow>(`${workspaceSelect} ORDER BY w.created_at, w.id`);
  const getWorkspace = db.prepare<[string], WorkspaceRow>(`${workspaceSelect} WHERE w.id = ?`);
  const workspaceByName = db.prepare<[string], { id: string }>(
    // Compared trimmed and case-insensitively: "My Shop" and "my shop " would be the same shop to a user.
    'SELECT id FROM workspaces WHERE lower(trim(name)) = lower(trim(?)) LIMIT 1',
  );
  const insertWorkspace = db.prepare<[string, string, number, number]>(
    'INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)',
  );
  const renameWorkspace = db.prepare<[string, number, string]>(
    'UPDATE workspaces SET name = ?, updated_at = ? WHERE id = ?',
  );

  const getConnection = db.prepare<[string], ConnectionRow>(
    `SELECT ${connectionColumns} FROM connections WHERE id = ?`,
  );
  const listConnections = db.prepare<[string], ConnectionRow>(
    `SELECT ${connectionColumns} FROM connections WHERE workspace_id = ? ORDER BY created_at, id`,
  );
  const listAllConnections = db.prepare<[], ConnectionRow>(
    `SELECT ${connectionColumns} FROM connections ORDER BY created_at, id`,
  );
  const cloudByPhoneNumberId = db.prepare<[string], { id: string; name: string; workspace_name: string }>(
    `SELECT c.id, c.name, w.name AS workspace_name FROM connections c JOIN workspaces w ON w.id = c.workspace_id
     WHERE c.kind = 'cloud' AND c.phone_number_id = ? LIMIT 1`,
  );
  const insertConnection = db.prepare<NewConnection>(
    `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, display_phone_number,
       api_version, token_enc, app_secret_enc, verify_token, rate_limit_per_minute, status, created_at, updated_at)
     VALUES (@id, @workspace_id, @kind, @name, @phone_number_id, @waba_id, @display_phone_number, @api_version,
       @token_enc, @app_secret_enc, @verify_token, @rate_limit_per_minute, 'active', @now, @now)`,
  );
  const updateConnection = db.prepare<ConnectionEdit>(
    `UPDATE connections SET name = @name, phone_number_id = @phone_number_id, waba_id = @waba_id,
       api_version = @api_version, token_enc = @token_enc, app_secret_enc = @app_secret_enc,
       verify_token = @verify_token, rate_limit_per_minute = @rate_limit_per_minute, status = @status,
       status_reason = @status_reason, display_phone_number = @display_phone_number, updated_at = @now
     WHERE id = @id`,
  );
  // Only a change of status is written (and reported), so a burst of 190s marks the row once.
  const setStatus = db.prepare<[ConnectionStatus, string | null, number, string, ConnectionStatus]>(
    'UPDATE connections SET status = ?, status_reason = ?, updated_at = ? WHERE id = ? AND status <> ?',
  );
  const setDisplayPhoneNumber = db.prepare<[string, number, string, string]>(
    `UPDATE connections SET display_phone_number = ?, updated_at = ?
     WHERE id = ? AND display_phone_number IS NOT ?`,
  );
  const deleteConnection = db.prepare<[string]>('DELETE FROM connections WHERE id = ?');
  // Read-only counts of what ON DELETE CASCADE takes with a connection, for the confirmation and the log.
  const cascadeCounts = db.prepare<[string, string, string, string, string], CascadeCounts>(
    `SELECT
       (SELECT count(*) FROM conversations WHERE connection_id = ?) AS conversations,
       (SELECT count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
          WHERE v.connection_id = ?) AS messages,
       (SELECT count(*) FROM templates WHERE connection_id = ?) AS templates,
       (SELECT count(*) FROM campaigns WHERE connection_id = ?) AS campaigns,
       (SELECT count(*) FROM campaigns WHERE connection_id = ? AND status IN ('running', 'scheduled'))
         AS liveCampaigns`,
  );

  return {
    listWorkspaces: (): WorkspaceRow[] => listWorkspaces.all(),
    getWorkspace: (id: string): WorkspaceRow | undefined => getWorkspace.get(id),
    workspaceIdByName: (name: string): string | undefined => workspaceByName.get(name)?.id,
    insertWorkspace(id: string, name: string, now: number): void {
      insertWorkspace.run(id, name, now, now);
    },
    renameWorkspace: (id: string, name: string, now: number): boolean =>
      renameWorkspace.run(name, now, id).changes === 1,

    getConnection: (id: string): ConnectionRow | undefined => getConnection.get(id),
    listConnections: (workspaceId: string): ConnectionRow[] => listConnections.all(workspaceId),
    listAllConnections: (): ConnectionRow[] => listAllConnections.all(),
    cloudConnectionByPhoneNumberId: (phoneNumberId: string) => cloudByPhoneNumberId.get(phoneNumberId),
    insertConnection(row: NewConnection): void {
      insertConnection.run(row);
    },
    updateConnection: (edit: ConnectionEdit): boolean => updateConnection.run(edit).changes === 1,
    /** True when the status actually changed. */
    setStatus: (id: string, status: ConnectionStatus, reason: string | null, now: number): boolean =>
      setStatus.run(status, reason, now, id, status).changes === 1,
    setDisplayPhoneNumber: (id: string, display: string, now: number): boolean =>
      setDisplayPhoneNumber.run(display, now, id, display).changes === 1,
    deleteConnection: (id: string): boolean => deleteConnection.run(id).changes === 1,
    cascadeCounts: (id: string): CascadeCounts => {
      const counts = cascadeCounts.get(id, id, id, id, id);
      return counts ?? { conversations: 0, messages: 0, templates: 0, campaigns: 0, liveCampaigns: 0 };
    },
  };
}
