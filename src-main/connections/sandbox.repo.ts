// The Sandbox's one write outside workspaces and connections: its demo customers. Kept here, next to the
// seeding that is its only caller, because the contacts domain has no repo yet; INSERT ... ON CONFLICT
// DO NOTHING leaves a customer the user already has (same workspace and number) untouched.
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import type { DemoContact } from './sandbox.seed';

export function createSandboxRepo(db: Db) {
  const insertContact = db.prepare<[string, string, string, string, string, string, string, number, number]>(
    `INSERT INTO contacts (id, workspace_id, phone_e164, wa_id, name, tags, attributes, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'sandbox', ?, ?)
     ON CONFLICT (workspace_id, phone_e164) DO NOTHING`,
  );
  return {
    /** Returns how many were new. */
    insertDemoContacts(workspaceId: string, contacts: readonly DemoContact[], now: number): number {
      let inserted = 0;
      for (const contact of contacts) {
        inserted += insertContact.run(
          newId(now),
          workspaceId,
          contact.phoneE164,
          // §9: wa_id is digits only; for these numbers it equals the E.164 digits.
          contact.phoneE164.slice(1),
          contact.name,
          JSON.stringify(contact.tags),
          JSON.stringify(contact.attributes),
          now,
          now,
        ).changes;
      }
      return inserted;
    },
  };
}
